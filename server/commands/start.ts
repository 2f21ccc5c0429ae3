/**
 * `coastcast start` (`npm start`): the whole service on this machine, until
 * Ctrl-C (SIGINT) or SIGTERM stops every part of it (server/stack.ts).
 */
import { startStack } from '../stack.js';
import { commandOptions } from './args.js';
import type { Command } from './command.js';

export const start: Command = async (args, io) => {
  commandOptions(args, []);
  const stack = await startStack(process.env, io.err);
  io.out(`coastcast: ${stack.apiUrl}  (API documentation: ${stack.apiUrl}/api/openapi.json)`);
  io.out(`Temporal: ${stack.temporalAddress}${stack.temporalUiUrl ? `  (web UI: ${stack.temporalUiUrl})` : ''}`);
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  io.err('stopping…');
  await stack.stop();
  return 0;
};
