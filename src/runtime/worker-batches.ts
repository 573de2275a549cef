import { Worker } from 'node:worker_threads';
import type { ByteInput } from '../core/format.js';
import { preparedWrites, type PreparedWrite } from '../store/prepared-write.js';
import type { MappedBatch } from './mapped-batches.js';
import { deserializeError, type ToMain, type ToWorker, type WorkerJob } from './worker-protocol.js';

const bootFile = new URL('./ingest-worker-boot.mjs', import.meta.url);
/** Chunks of delivery bytes sent ahead of what the worker has taken. */
const CHUNKS_AHEAD = 4;
/** Batches the worker may map ahead of the commits: enough to keep both cores busy, and bounded. */
const BATCHES_AHEAD = 2;

/**
 * The worker allocates a few short-lived strings and objects per record: a young generation
 * larger than V8's default scavenges less often (measured: ~5% less CPU, ~5% faster ingest).
 */
const YOUNG_GENERATION_MB = 64;

/**
 * Idle workers kept for the next delivery or piece (starting one loads the mapping code again,
 * some hundreds of milliseconds): as many as a delivery in pieces uses at once. They are
 * unref'd, so they never keep the process alive.
 */
const idle: Worker[] = [];
const IDLE_WORKERS = 2;

/** How many workers wait for a delivery (for tests). */
export function idleIngestWorkers(): number {
  return idle.length;
}

/** Stops the idle workers (a worker in use stops when its delivery is done). */
export async function closeIngestWorkers(): Promise<void> {
  await Promise.all(idle.splice(0).map((w) => w.terminate()));
}

/**
 * Starts an idle worker ahead of the first delivery, unless one is idle: booting one (loading the
 * sources) took 0.7 s, in which the first large delivery after the daemon started waited with
 * nothing to commit. A worker copies `process.env` as it starts: a test that sets a variable the
 * worker reads (BRIDGE_FAULT) stops the idle ones first (closeIngestWorkers).
 */
export function warmIngestWorker(): void {
  if (idle.length === 0) releaseWorker(takeWorker(), true);
}

function takeWorker(): Worker {
  const worker = idle.pop() ?? new Worker(bootFile, { resourceLimits: { maxYoungGenerationSizeMb: YOUNG_GENERATION_MB } });
  worker.removeAllListeners();
  worker.ref();
  return worker;
}

function releaseWorker(worker: Worker, reusable: boolean): void {
  worker.removeAllListeners();
  if (reusable && idle.length < IDLE_WORKERS) {
    idle.push(worker);
    worker.unref();
    // An idle worker that dies is simply forgotten.
    worker.on('error', () => undefined);
    worker.once('exit', () => {
      const at = idle.indexOf(worker);
      if (at !== -1) idle.splice(at, 1);
    });
  } else void worker.terminate();
}

/**
 * Decodes and maps a delivery in a worker thread while the caller commits on its own: yields
 * the batches `mapInThread` would yield, cut at the same records, with prepared writes. The
 * worker stays at most BATCHES_AHEAD batches ahead: taking the next batch tells it the previous
 * one is committed. The delivery's bytes are read on this thread and passed on, CHUNKS_AHEAD
 * chunks at most. What the worker throws is thrown here, with its class and message; a worker
 * that dies is an Error naming the flow. Aborting `signal` stops the worker and makes a pending
 * `next()` reject: a caller that asked for batches ahead stops it so.
 */
export async function* mapInWorker(input: ByteInput, job: Omit<WorkerJob, 'ahead'>, signal?: AbortSignal): AsyncGenerator<MappedBatch> {
  const worker = takeWorker();
  const name = job.meta.name as string | undefined;
  const inbox: ToMain[] = [];
  let failure: Error | undefined;
  let wake: (() => void) | undefined;
  let pulls = 0;
  let wakePump: (() => void) | undefined;
  const notify = () => {
    wake?.();
    wakePump?.();
  };
  worker.on('message', (m: ToMain) => {
    if (m.kind === 'pull') {
      pulls++;
      wakePump?.();
    } else {
      inbox.push(m);
      wake?.();
    }
  });
  worker.on('error', (e) => {
    failure ??= new Error(`ingest worker of flow ${job.flow} failed: ${e.message}`, { cause: e });
    notify();
  });
  worker.on('exit', (code) => {
    failure ??= new Error(`ingest worker of flow ${job.flow} stopped (exit code ${code}) before the delivery was mapped`);
    notify();
  });
  const abort = () => {
    failure ??= new Error(`mapping of flow ${job.flow} stopped`);
    notify();
  };
  signal?.addEventListener('abort', abort, { once: true });
  const send = (m: ToWorker, transfer?: ArrayBuffer[]) => worker.postMessage(m, transfer);
  send({ kind: 'job', job: { ...job, ahead: BATCHES_AHEAD } });

  let pumpError: unknown;
  let stopped = false;
  const pump = async () => {
    let sent = 0;
    const chunks: AsyncIterable<Uint8Array> | Uint8Array[] = Buffer.isBuffer(input) ? [input] : (input as AsyncIterable<Uint8Array>);
    for await (const chunk of chunks) {
      if (stopped || failure) return;
      // A copy of our own to transfer: a stream's chunk may share its memory with others.
      const copy = new Uint8Array(chunk);
      send({ kind: 'chunk', chunk: copy }, [copy.buffer as ArrayBuffer]);
      sent++;
      while (sent - pulls >= CHUNKS_AHEAD && !stopped && !failure) await new Promise<void>((resolve) => (wakePump = resolve));
    }
    if (!stopped) send({ kind: 'end' });
  };
  const pumping = pump().catch((e: unknown) => {
    pumpError = e;
    failure ??= e as Error;
    wake?.();
  });

  let reusable = false;
  /** The next batch's writes, from the parts posted ahead of it. */
  let writes: PreparedWrite[] = [];
  try {
    for (;;) {
      while (inbox.length === 0 && !failure) await new Promise<void>((resolve) => (wake = resolve));
      const m = inbox.shift();
      if (m === undefined) throw failure!;
      if (m.kind === 'error') throw deserializeError(m.error);
      if (m.kind === 'part') {
        preparedWrites(m.values, name, writes);
        continue;
      }
      if (m.kind !== 'batch') continue;
      if (m.last) reusable = m.fatal === undefined;
      const batch: MappedBatch = { seen: m.seen, writes: preparedWrites(m.values, name, writes), rejects: m.rejects, fatal: m.fatal, last: m.last, digests: m.digests };
      writes = [];
      yield batch;
      if (m.last) return;
      send({ kind: 'committed' });
    }
  } finally {
    signal?.removeEventListener('abort', abort);
    stopped = true;
    wakePump?.();
    releaseWorker(worker, reusable && pumpError === undefined);
    // Not awaited: a stream that never yields again must not hold up the delivery's outcome; the
    // pump stops at its next chunk (which closes the stream).
    void pumping;
  }
}
