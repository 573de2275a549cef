/**
 * The ingest worker's thread: decodes and maps one delivery at a time, bytes in from the main
 * thread, batches of prepared writes out (see worker-batches.ts for the protocol). It holds no
 * store: the main thread commits each batch, and says so, before the worker runs ahead further.
 */
import { createHash } from 'node:crypto';
import { parentPort } from 'node:worker_threads';
import type { DataErrorDetail } from '../core/errors.js';
import { SourceFiles } from '../core/source-files.js';
import { RecordDigests, type BatchDigests } from '../core/record-digests.js';
import type { DeliveryMeta, Position } from '../core/records.js';
import { loadMapping, type MappedEntity, type Mapping } from '../mapping/index.js';
import { loadModel } from '../model/index.js';
import { PreparedWriteBuffer, type PreparedWriteValues } from '../store/prepared-write.js';
import { cutBatches, type WriteBuffer } from './mapped-batches.js';
import { serializeError, type ToMain, type ToWorker, type WorkerJob } from './worker-protocol.js';

const port = parentPort!;
const post = (message: ToMain) => port.postMessage(message);
/** Posts a message that carries prepared writes (and a batch's digests), their arrays moved rather than copied. */
function postWrites(message: ToMain & { values: PreparedWriteValues; digests?: BatchDigests }): void {
  const d = message.digests;
  port.postMessage(message, [message.values.numbers.buffer, ...(d === undefined ? [] : [d.writes.buffer, d.knownSeqs.buffer, d.knownDigests.buffer])]);
}

/**
 * Writes posted ahead of their batch, in parts of this many: what the worker holds until it
 * posts survives its young generation's collections, which copy it each time. Posted in parts,
 * a re-ingest of a million unchanged rows took a tenth less time (`npm run bench -- ingest`).
 */
const PART_WRITES = 500;

class PreparedValues implements WriteBuffer<PreparedWriteValues> {
  private readonly part: PreparedWriteBuffer;
  size = 0;
  /** `file`: the delivery's name. */
  constructor(file: string | undefined) {
    this.part = new PreparedWriteBuffer(file);
  }
  add(m: MappedEntity, position: Position): void {
    this.part.add(m.entity, m.key, m.data, position, m.sourceTimestamp);
    this.size++;
    if (this.part.size === PART_WRITES || this.part.full) postWrites({ kind: 'part', values: this.part.take() });
  }
  take(): PreparedWriteValues {
    this.size = 0;
    return this.part.take();
  }
}

/** Chunks from the main thread; each one taken asks for another, so only a few wait here. */
const chunks: Uint8Array[] = [];
let ended = false;
let wakeReader: (() => void) | undefined;
/** Batches posted and not yet committed; the worker waits while there are `job.ahead`. */
let uncommitted = 0;
let wakeMapper: (() => void) | undefined;

async function* input(): AsyncIterable<Buffer> {
  for (;;) {
    const chunk = chunks.shift();
    if (chunk !== undefined) {
      post({ kind: 'pull' });
      yield Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    } else if (ended) return;
    else await new Promise<void>((resolve) => (wakeReader = resolve));
  }
}

/** The last mapping compiled, by what it was compiled from: the pieces of a delivery share it. */
let compiled: { id: string; mapping: Mapping } | undefined;

function mappingOf(job: WorkerJob): Mapping {
  const digest = createHash('sha256');
  for (const [path, bytes] of Object.entries(job.sources)) digest.update(`${path}\0${bytes.length}\0`).update(bytes);
  const id = `${job.mappingFile}\0${job.modelFile}\0${digest.digest('hex')}`;
  if (compiled?.id !== id) {
    // Compiled from the bytes the daemon loaded, so both threads map alike even after the files changed on disk.
    const files = new SourceFiles(job.sources);
    compiled = { id, mapping: loadMapping(job.mappingFile, { model: loadModel(job.modelFile, files), files }) };
  }
  return compiled.mapping;
}

async function run(job: WorkerJob): Promise<void> {
  // Fault injection for the tests: a worker that dies without a word.
  if (process.env.BRIDGE_FAULT === 'ingest-worker-exit') process.exit(70);
  const mapping = mappingOf(job);
  const digests = job.digests && new RecordDigests(job.digests);
  const decoded = mapping.format.decode(input(), job.meta as DeliveryMeta, job.start, digests);
  for await (const batch of cutBatches(decoded, { ...job, mapping, digests }, new PreparedValues((job.meta as DeliveryMeta).name))) {
    while (uncommitted >= job.ahead) await new Promise<void>((resolve) => (wakeMapper = resolve));
    uncommitted++;
    postWrites({ kind: 'batch', seen: batch.seen, values: batch.writes, rejects: batch.rejects, fatal: batch.fatal as DataErrorDetail[] | undefined, last: batch.last, digests: batch.digests });
    if (batch.last) return;
  }
}

port.on('message', (message: ToWorker) => {
  switch (message.kind) {
    case 'job':
      chunks.length = 0;
      ended = false;
      uncommitted = 0;
      run(message.job).catch((e: unknown) => post({ kind: 'error', error: serializeError(e) }));
      break;
    case 'chunk':
      chunks.push(message.chunk);
      wakeReader?.();
      break;
    case 'end':
      ended = true;
      wakeReader?.();
      break;
    case 'committed':
      uncommitted--;
      wakeMapper?.();
      break;
  }
});
