import { ensureTemporalCli, resolveTemporalCli, temporalVersion } from '../temporalCli.js';
import type { Command } from './command.js';
import { UsageError } from './command.js';

/** `coastcast setup`: run by `npm install`, leaves the machine ready to start the stack. */
export const setup: Command = async (args, io) => {
  if (args.length) throw new UsageError(`setup takes no arguments (got ${args.join(' ')})`);
  const cli = await ensureTemporalCli(io.out);
  io.out(`Temporal CLI (${cli.source}): ${cli.path} — ${temporalVersion(cli)}`);
  return 0;
};

/** `coastcast temporal path`: which Temporal CLI coastcast runs, and why that one. */
export const temporalPath: Command = async (args, io) => {
  if (args.length) throw new UsageError(`temporal path takes no arguments (got ${args.join(' ')})`);
  const cli = resolveTemporalCli();
  io.out(cli.path);
  io.err(`source: ${cli.source}`);
  return 0;
};
