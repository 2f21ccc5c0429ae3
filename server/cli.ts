#!/usr/bin/env node
import type { Command, CommandIO } from './commands/command.js';
import { UsageError } from './commands/command.js';

/** Sub-commands by their words; each module is loaded only when its command runs. */
const COMMANDS: Record<string, { usage: string; load: () => Promise<Command> }> = {
  forecast: {
    usage: 'coastcast forecast <siteId> [--cycle <ISO>]   run (or join) a forecast cycle and follow it to the end',
    load: async () => (await import('./commands/forecast.js')).forecast,
  },
  cancel: {
    usage: 'coastcast cancel <siteId> --cycle <ISO>   stop a running forecast cycle and wait until it has ended',
    load: async () => (await import('./commands/cancel.js')).cancel,
  },
  'mesh check': {
    usage: 'coastcast mesh check <hgrid.gr3> [--ics 1|2]',
    load: async () => (await import('./commands/meshCheck.js')).meshCheck,
  },
  'model run': {
    usage: 'coastcast model run <runDir> [--threads N] [--time-stepping local|global]   run the built-in model on a SCHISM run directory',
    load: async () => (await import('./commands/modelRun.js')).modelRun,
  },
  'model schism': {
    usage: 'coastcast model schism <runDir> --combine-hotstart <combine_hotstart7> -- <command that starts pschism…>   run SCHISM on a run directory, reporting as the built-in model does',
    load: async () => (await import('./commands/modelSchism.js')).modelSchism,
  },
  setup: {
    usage: 'coastcast setup            install the Temporal CLI if none is found',
    load: async () => (await import('./commands/setup.js')).setup,
  },
  start: {
    usage: 'coastcast start            the whole service on this machine: Temporal dev server, worker, API and web app',
    load: async () => (await import('./commands/start.js')).start,
  },
  'tide predict': {
    usage: 'coastcast tide predict --constants <file.json> --start <ISO> --end <ISO> --step <seconds>   tide from harmonic constants, CSV time,elevation',
    load: async () => (await import('./commands/tidePredict.js')).tidePredict,
  },
  worker: {
    usage: 'coastcast worker [--model-threads N] [--resource <name>]...   a Temporal worker for forecast cycles; with --resource (repeatable), only the model jobs of those compute resources (COASTCAST_RESOURCES)',
    load: async () => (await import('./commands/worker.js')).worker,
  },
  'temporal path': {
    usage: 'coastcast temporal path    print the Temporal CLI that coastcast will run',
    load: async () => (await import('./commands/setup.js')).temporalPath,
  },
};

function usage(): string {
  return ['usage:', ...Object.values(COMMANDS).map((c) => `  ${c.usage}`)].join('\n');
}

export async function main(argv: string[], io: CommandIO): Promise<number> {
  const name = Object.keys(COMMANDS)
    .filter((words) => words.split(' ').every((w, i) => argv[i] === w))
    .sort((a, b) => b.length - a.length)[0];
  if (!name) {
    io.err(argv.length ? `unknown command: ${argv.join(' ')}` : 'no command given');
    io.err(usage());
    return 2;
  }
  const entry = COMMANDS[name];
  try {
    const command = await entry.load();
    return await command(argv.slice(name.split(' ').length), io);
  } catch (error) {
    if (error instanceof UsageError) {
      io.err(error.message);
      io.err(`usage: ${entry.usage}`);
      return 2;
    }
    io.err(error instanceof Error ? error.message : String(error));
    return 1;
  }
}

const io: CommandIO = {
  out: (line) => process.stdout.write(line + '\n'),
  err: (line) => process.stderr.write(line + '\n'),
};
process.exitCode = await main(process.argv.slice(2), io);
