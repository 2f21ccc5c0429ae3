import { parentPort, workerData } from 'node:worker_threads';
import { runPhase, type Phase, type Solver } from './kernels.js';
import { CONTROL, SPIN_CHECKS } from './parallel.js';

/** One worker of a WorkerPool: waits for a phase, runs its share, signals the caller. */
const { solver, control, thread } = workerData as { solver: Solver; control: Int32Array; thread: number };
Atomics.add(control, CONTROL.ready, 1);
Atomics.notify(control, CONTROL.ready);
parentPort?.postMessage('ready');
// Generation 0 is the pool's start: a phase published before this worker was up is still run.
let seen = 0;
for (;;) {
  // A wake-up is not a new phase: the caller bumps the generation, then notifies, and a thread that
  // was preempted between the two can wake this worker after it already ran that generation.
  // Running it again would apply a stage twice and take one count too many off `pending`.
  let generation = Atomics.load(control, CONTROL.generation);
  for (let spin = 0; generation === seen && spin < SPIN_CHECKS; spin++) generation = Atomics.load(control, CONTROL.generation);
  while (generation === seen) {
    Atomics.wait(control, CONTROL.generation, seen);
    generation = Atomics.load(control, CONTROL.generation);
  }
  seen = generation;
  try {
    runPhase(solver, Atomics.load(control, CONTROL.phase) as Phase, thread, solver.threads);
  } catch (error) {
    Atomics.store(control, CONTROL.failed, 1);
    console.error(error);
  }
  if (Atomics.sub(control, CONTROL.pending, 1) === 1) Atomics.notify(control, CONTROL.pending);
}
