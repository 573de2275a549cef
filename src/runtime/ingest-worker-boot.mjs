// The ingest worker's entry: the sources are TypeScript, loaded through tsx as bin/bridge.js does.
import { register } from 'tsx/esm/api';

register();
await import('./ingest-worker.ts');
