/**
 * `coastcast model schism <runDir> --combine-hotstart <exe> -- <command…>`:
 * SCHISM on a run directory, followed and reported in the model protocol
 * (activities/jobs/schismRun.ts). The words after `--` start pschism, e.g.
 * `mpirun -np 8 /opt/schism/bin/pschism_TVD-VL`; the scribe count is added.
 */
import { runSchism } from '../../activities/jobs/schismRun.js';
import { commandArguments } from './args.js';
import { UsageError, type Command } from './command.js';

export const modelSchism: Command = async (args, io) => {
  const split = args.indexOf('--');
  if (split < 0 || split === args.length - 1) throw new UsageError('missing the command that starts pschism, after --');
  const { positional: runDir, options } = commandArguments(args.slice(0, split), 'the run directory', ['combine-hotstart']);
  const combineHotstart = options['combine-hotstart'];
  if (combineHotstart === undefined) throw new UsageError('missing --combine-hotstart <combine_hotstart7>');
  return runSchism(runDir, {
    command: args.slice(split + 1),
    combineHotstart,
    onEvent: (event) => io.out(JSON.stringify(event)),
    onError: (line) => io.err(line),
  });
};
