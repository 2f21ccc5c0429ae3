import { createRequire } from 'node:module';
import { extname } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { runPhase, type Phase, type Solver } from './kernels.js';

/** Runs the phases of a step over all threads and returns when every share is done. */
export interface Executor {
  /** `serial`: run the whole phase on the calling thread (for small ones; the result is the same). */
  run(phase: Phase, serial?: boolean): void;
  /** Resolves once every thread can take work. */
  ready(): Promise<void>;
  close(): Promise<void>;
}

export function serialExecutor(solver: Solver): Executor {
  return {
    run: (phase) => runPhase(solver, phase, 0, 1),
    ready: async () => {},
    close: async () => {},
  };
}

/** Slots of the control array shared with the workers. */
export const CONTROL = { generation: 0, phase: 1, pending: 2, ready: 3, failed: 4 } as const;

const START_TIMEOUT_MS = 60_000;
/** Far beyond any phase on a million-node mesh; only a dead worker gets here. */
const PHASE_TIMEOUT_MS = 60_000;
/**
 * Reads of a shared counter before blocking on it (a few tens of
 * microseconds): waking a blocked thread costs about as long as a phase of
 * local time stepping takes, so each side spins this long first, and then
 * sleeps, so an idle or oversubscribed machine loses nothing.
 */
export const SPIN_CHECKS = 20_000;

/**
 * The worker's entry. Compiled, it is parallelWorker.js; run from
 * TypeScript source (tsx, vitest) the worker first registers tsx's loader,
 * which a worker does not inherit.
 */
function workerEntry(): { source: string | URL; eval: boolean } {
  if (extname(fileURLToPath(import.meta.url)) !== '.ts') return { source: new URL('./parallelWorker.js', import.meta.url), eval: false };
  // The package's ESM build sits next to its CommonJS one, which is what require.resolve finds.
  const tsx = pathToFileURL(createRequire(import.meta.url).resolve('tsx/esm/api').replace(/\.cjs$/, '.mjs')).href;
  const worker = new URL('./parallelWorker.ts', import.meta.url).href;
  return { source: `import(${JSON.stringify(tsx)}).then((api) => { api.register(); return import(${JSON.stringify(worker)}); });`, eval: true };
}

/**
 * Worker threads that each own a fixed share of nodes, edges and faces; the
 * calling thread takes share 0. A phase is published by bumping a
 * generation counter (Atomics.notify); the caller blocks on a pending
 * counter until the last worker finishes. Partitioning never changes a
 * result: edges are computed independently and nodes gather in a fixed order.
 */
export class WorkerPool implements Executor {
  private readonly workers: Worker[] = [];
  private readonly control = new Int32Array(new SharedArrayBuffer(4 * 5));
  private started = false;
  private readonly online: Promise<void>;

  constructor(private readonly solver: Solver) {
    const entry = workerEntry();
    for (let t = 1; t < solver.threads; t++) {
      const worker = new Worker(entry.source, { eval: entry.eval, workerData: { solver, control: this.control, thread: t } });
      worker.unref();
      this.workers.push(worker);
    }
    this.online = Promise.all(
      this.workers.map((w) => new Promise<void>((resolve, reject) => {
        w.once('message', () => resolve());
        w.once('error', reject);
      })),
    ).then(() => {
      this.started = true;
    });
  }

  ready(): Promise<void> {
    return this.online;
  }

  run(phase: Phase, serial = false): void {
    if (serial) {
      runPhase(this.solver, phase, 0, 1);
      return;
    }
    const c = this.control;
    if (!this.started) this.awaitWorkers();
    Atomics.store(c, CONTROL.phase, phase);
    Atomics.store(c, CONTROL.pending, this.workers.length);
    Atomics.add(c, CONTROL.generation, 1);
    Atomics.notify(c, CONTROL.generation);
    runPhase(this.solver, phase, 0, this.solver.threads);
    // Phases of local time stepping last microseconds: a futex round trip would cost more than the work, so spin first.
    let left = Atomics.load(c, CONTROL.pending);
    for (let spin = 0; left !== 0 && spin < SPIN_CHECKS; spin++) left = Atomics.load(c, CONTROL.pending);
    // Bounded: a worker that died mid-phase must end the run with an error, not block this thread forever.
    const deadline = Date.now() + PHASE_TIMEOUT_MS;
    for (; left !== 0; left = Atomics.load(c, CONTROL.pending)) {
      const wait = deadline - Date.now();
      if (wait <= 0) throw new Error(`${left} model worker thread(s) did not finish phase ${phase} within ${PHASE_TIMEOUT_MS / 1000} s`);
      Atomics.wait(c, CONTROL.pending, left, wait);
    }
    if (Atomics.load(c, CONTROL.failed) !== 0) throw new Error(`a model worker thread failed in phase ${phase}`);
  }

  /**
   * Blocks until every worker has loaded, for callers that did not await
   * ready(). Compiled workers start on their own; workers loading TypeScript
   * through tsx need this thread's event loop, so there only ready() works
   * and this gives up with a clear error instead of waiting forever.
   */
  private awaitWorkers(): void {
    const c = this.control;
    const deadline = Date.now() + START_TIMEOUT_MS;
    for (let ready = Atomics.load(c, CONTROL.ready); ready < this.workers.length; ready = Atomics.load(c, CONTROL.ready)) {
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`model worker threads did not start within ${START_TIMEOUT_MS / 1000} s (await model.ready() before stepping)`);
      Atomics.wait(c, CONTROL.ready, ready, left);
    }
    this.started = true;
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}
