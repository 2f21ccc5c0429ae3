/**
 * A stand-in for the Docker and Podman command-line clients, for
 * test/containerJobs.test.ts. No container engine runs on this machine (the
 * docker client is installed, no daemon is), so this program plays client
 * and daemon for the commands coastcast's container jobs use, keeping to
 * what those jobs depend on and nothing more (no image, no isolation):
 *
 * - `run --name N --rm [--init --user U --volume V --workdir D] IMAGE CMD…`
 *   starts CMD in D as the container, in a session of its own as a process
 *   of the engine's daemon would be, so that killing the client (or its
 *   process group) leaves the container running. IMAGE is a directory put
 *   first on the container's PATH (where the image's `coastcast` is). As
 *   `docker run` attached does, the client passes the container's output on
 *   to its own stdout and stderr only while it runs (the daemon keeps it in
 *   the container's log either way), passes SIGTERM and SIGINT on to the
 *   container, and exits with the container's status, 128 + the signal
 *   when one killed it.
 * - `container inspect --format {{.State.Running}} N` prints true while the
 *   container runs.
 * - `stop -t T N` sends SIGTERM to the container's processes, SIGKILL after
 *   T seconds, and returns once they are gone.
 * - An ended container is removed (--rm, by the daemon whether or not its
 *   client still runs), after which inspect and stop answer "no such
 *   container" in the wording of the engine it plays.
 *
 * Anything else is refused (exit 125), so a test fails when coastcast asks
 * for something this stand-in does not model. The state directory is
 * COASTCAST_ENGINE_STAND_IN (`calls`: each call's arguments, a line each;
 * `containers/<name>.json`: the container's pid and start time; its log in
 * `<name>.out` and `<name>.err`); COASTCAST_ENGINE_STAND_IN_ENGINE is docker
 * (the default) or podman.
 */
import { spawn } from 'node:child_process';
import { appendFileSync, closeSync, existsSync, mkdirSync, openSync, readFileSync, readSync, rmSync, statSync, writeFileSync, writeSync } from 'node:fs';
import { constants } from 'node:os';
import { join } from 'node:path';

import { procStat } from '../../activities/jobs/localProcess.js';

const stateDir = process.env.COASTCAST_ENGINE_STAND_IN ?? refuse('COASTCAST_ENGINE_STAND_IN is not set');
const podman = process.env.COASTCAST_ENGINE_STAND_IN_ENGINE === 'podman';
const containers = join(stateDir, 'containers');
mkdirSync(containers, { recursive: true });

export interface ContainerRecord {
  pid: number;
  startTime: number;
}

function refuse(message: string, status = 125): never {
  process.stderr.write(`Error: ${message}\n`);
  process.exit(status);
}

function noSuchContainer(name: string): never {
  if (podman) refuse(`no container with name or ID "${name}" found: no such container`);
  process.stderr.write(`Error response from daemon: No such container: ${name}\n`);
  process.exit(1);
}

const recordPath = (name: string) => join(containers, `${name}.json`);

function runs({ pid, startTime }: ContainerRecord): boolean {
  const stat = procStat(pid);
  return stat !== undefined && stat.state !== 'Z' && stat.startTime === startTime;
}

function remove(name: string): void {
  for (const file of [`${name}.json`, `${name}.out`, `${name}.err`]) rmSync(join(containers, file), { force: true });
}

/** The running container called `name`; an ended one is removed first, as --rm has the daemon do. */
function lookup(name: string): ContainerRecord | undefined {
  if (!existsSync(recordPath(name))) return undefined;
  const record = JSON.parse(readFileSync(recordPath(name), 'utf8')) as ContainerRecord;
  if (runs(record)) return record;
  remove(name);
  return undefined;
}

function run(args: string[]): void {
  const options = new Map<string, string>();
  let i = 0;
  for (; args[i]?.startsWith('--'); i++) {
    if (args[i] === '--rm' || args[i] === '--init') options.set(args[i], '');
    else if (['--name', '--user', '--volume', '--workdir'].includes(args[i]) && args[i + 1] !== undefined) options.set(args[i], args[++i]);
    else refuse(`the stand-in does not model run's ${args[i]}`);
  }
  const [image, ...command] = args.slice(i);
  const name = options.get('--name') ?? refuse('the stand-in runs only named containers (--name)');
  if (!options.has('--rm')) refuse('the stand-in removes every container that ends, as --rm asks: give --rm');
  if (image === undefined || command.length === 0) refuse('"docker run" requires at least 1 argument: IMAGE [COMMAND]');
  if (!statSync(image, { throwIfNoEntry: false })?.isDirectory()) refuse(`${image}: no such image (the stand-in's images are directories)`);
  if (lookup(name) !== undefined) refuse(`Conflict. The container name "/${name}" is already in use`);
  const log = { out: join(containers, `${name}.out`), err: join(containers, `${name}.err`) };
  const out = openSync(log.out, 'w');
  const err = openSync(log.err, 'w');
  const container = spawn(command[0], command.slice(1), {
    cwd: options.get('--workdir'),
    detached: true,
    stdio: ['ignore', out, err],
    env: { ...process.env, PATH: `${image}:${process.env.PATH}` },
  });
  closeSync(out);
  closeSync(err);
  container.once('error', (error) => refuse(`${command[0]}: ${error.message}`, 127));
  container.once('spawn', () => {
    const pid = container.pid as number;
    writeFileSync(recordPath(name), JSON.stringify({ pid, startTime: procStat(pid)?.startTime ?? -1 } satisfies ContainerRecord));
  });
  const copied = { out: 0, err: 0 };
  const relay = () => {
    copied.out = copy(log.out, 1, copied.out);
    copied.err = copy(log.err, 2, copied.err);
  };
  const relaying = setInterval(relay, 20);
  for (const signal of ['SIGTERM', 'SIGINT'] as const) process.on(signal, () => container.kill(signal));
  container.once('exit', (code, signal) => {
    clearInterval(relaying);
    relay();
    remove(name);
    process.exit(code ?? 128 + constants.signals[signal as NodeJS.Signals]);
  });
}

/** Copies what `from` holds after `offset` to file descriptor `to`; the new offset. */
function copy(from: string, to: number, offset: number): number {
  const fd = openSync(from, 'r');
  try {
    const buffer = Buffer.alloc(64 * 1024);
    for (let n; (n = readSync(fd, buffer, 0, buffer.length, offset)) > 0; offset += n) writeSync(to, buffer, 0, n);
    return offset;
  } finally {
    closeSync(fd);
  }
}

function inspect(args: string[]): void {
  if (args.length !== 3 || args[0] !== '--format' || args[1] !== '{{.State.Running}}') refuse(`the stand-in answers only "container inspect --format {{.State.Running}} NAME", not ${JSON.stringify(args)}`);
  if (lookup(args[2]) === undefined) noSuchContainer(args[2]);
  process.stdout.write('true\n');
}

async function stop(args: string[]): Promise<void> {
  if (args.length !== 3 || args[0] !== '-t' || !/^\d+$/.test(args[1])) refuse(`the stand-in stops only as "stop -t SECONDS NAME", not ${JSON.stringify(args)}`);
  const [, seconds, name] = args;
  const record = lookup(name) ?? noSuchContainer(name);
  const within = async (ms: number) => {
    const deadline = Date.now() + ms;
    while (runs(record) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
    return !runs(record);
  };
  const signal = (s: NodeJS.Signals) => {
    try {
      process.kill(-record.pid, s);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ESRCH') throw error;
    }
  };
  signal('SIGTERM');
  if (!(await within(1000 * Number(seconds)))) {
    signal('SIGKILL');
    if (!(await within(10_000))) refuse(`container ${name} still runs after SIGKILL`);
  }
  remove(name);
  process.stdout.write(`${name}\n`);
}

const args = process.argv.slice(2);
appendFileSync(join(stateDir, 'calls'), `${args.join(' ')}\n`);
if (args[0] === 'run') run(args.slice(1));
else if (args[0] === 'container' && args[1] === 'inspect') inspect(args.slice(2));
else if (args[0] === 'stop') await stop(args.slice(1));
else refuse(`the stand-in does not model ${JSON.stringify(args)}`);
