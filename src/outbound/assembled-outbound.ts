import type { Sink } from '../core/sink.js';
import type { Mapping } from '../mapping/index.js';
import type { ChangeOp } from '../store/types.js';

/** An outbound flow as configured and checked. */
export interface AssembledOutbound {
  name: string;
  types: string[];
  ops: ChangeOp[];
  /** Inbound flows whose changes are not delivered (echo suppression). */
  suppress: Set<string>;
  mapping?: Mapping;
  grouping: 'change' | 'batch';
  concurrency: number;
  batch: { maxRecords: number; maxWaitMs: number };
  pollMs: number;
  enabled: boolean;
  /** The connection's name; '' for the default policy of the sink adapter. */
  connection: string;
  /** The sink adapter's name (`file`, `webhook`). */
  sink: string;
  createSink(): Sink;
}
