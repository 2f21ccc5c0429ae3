/**
 * `coastcast model run <runDir> [--threads N] [--time-stepping local|global]`:
 * the built-in model on a run directory. One JSON object per line on stdout (start, progress, output,
 * done); exit 0 on success, otherwise one line on stderr and the code of the
 * failure: 3 bad input, 4 numerical blow-up, 1 anything else (2, usage, is
 * the CLI's).
 */
import { RunInputError } from '../../model/runDirectory.js';
import type { TimeStepping } from '../../core/modelProtocol.js';
import { runModel } from '../../model/run.js';
import { BlowUpError } from '../../model/stepper.js';
import { commandArguments } from './args.js';
import { UsageError, type Command } from './command.js';

export const EXIT = { ok: 0, failure: 1, badInput: 3, blowUp: 4 } as const;

export const modelRun: Command = async (args, io) => {
  const { runDir, threads, timeStepping } = parseArguments(args);
  try {
    await runModel(runDir, { threads, timeStepping, onEvent: (event) => io.out(JSON.stringify(event)) });
    return EXIT.ok;
  } catch (error) {
    if (error instanceof RunInputError) {
      io.err(error.message);
      return EXIT.badInput;
    }
    if (error instanceof BlowUpError) {
      io.err(error.message);
      return EXIT.blowUp;
    }
    io.err((error instanceof Error ? error.message : String(error)).split('\n')[0]);
    return EXIT.failure;
  }
};

/** Without --threads the model picks a count from the mesh size (model/run.ts defaultThreads). */
function parseArguments(args: string[]): { runDir: string; threads: number | undefined; timeStepping: TimeStepping | undefined } {
  const { positional, options } = commandArguments(args, 'the run directory', ['threads', 'time-stepping']);
  const { threads } = options;
  if (threads !== undefined && !/^[1-9]\d*$/.test(threads)) throw new UsageError(`--threads takes a positive integer, got ${threads}`);
  const timeStepping = options['time-stepping'];
  if (timeStepping !== undefined && timeStepping !== 'local' && timeStepping !== 'global') {
    throw new UsageError(`--time-stepping takes local or global, got ${timeStepping}`);
  }
  return { runDir: positional, threads: threads === undefined ? undefined : Number(threads), timeStepping };
}
