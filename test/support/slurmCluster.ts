/**
 * A single-node SLURM cluster for the tests, started from Debian's
 * slurm-wlm and munge packages (installed by .ci/run) and kept entirely in
 * a temp directory: its own munge key and socket, slurm.conf, state and
 * spool, on free ports of 127.0.0.1. The client commands find it through
 * SLURM_CONF, which start() sets for this process and its children.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, rm, rmdir, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';

export interface SlurmCluster {
  readonly dir: string;
  /** The one compute node, for `scontrol update nodename=…`. */
  readonly node: string;
  readonly partition: string;
  /** The environment that points SLURM's commands at this cluster. */
  readonly env: NodeJS.ProcessEnv;
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

function daemon(command: string, args: string[], env: NodeJS.ProcessEnv): ChildProcess {
  const child = spawn(command, args, { env, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  child.once('exit', (code) => {
    if (code !== 0 && code !== null) process.stderr.write(`${command} exited ${code}: ${stderr}\n`);
  });
  return child;
}

async function until(what: string, test: () => boolean, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!test()) {
    if (Date.now() > deadline) throw new Error(`SLURM test cluster: ${what} did not happen within ${timeoutMs / 1000} s`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/** Settings the end-state tests need; left out, the cluster is as every other SLURM test knows it. */
export interface SlurmClusterOptions {
  /** Seconds between SIGTERM and SIGKILL for a job ended by SLURM (its default, 30 s, would be dead time in every ended job's test). */
  killWait?: number;
  /**
   * A partition whose jobs get this much memory per CPU unless they ask for
   * more, held to it by the kernel: task/cgroup puts each job in a memory
   * cgroup of that size (cgroup v1 memory controller under /sys/fs/cgroup,
   * so only where this process may create cgroups), and a job the kernel's
   * OOM killer acts in ends OUT_OF_MEMORY. SLURM's own sampling
   * (jobacct_gather/linux with OverMemoryKill) is no substitute: in SLURM
   * 22.05 the job it kills ends FAILED. Jobs of the other partitions get
   * 1000 MB per CPU (DefMemPerCPU): with memory counted, a job that names
   * none would otherwise take the whole node's.
   */
  memoryPartition?: { name: string; megabytesPerCpu: number };
  /** A second partition on the same node whose jobs preempt (cancel) those of the default partition. */
  preemptingPartition?: string;
}

export async function startSlurmCluster(options: SlurmClusterOptions = {}): Promise<SlurmCluster> {
  const dir = await mkdtemp(join(tmpdir(), 'coastcast-slurm-'));
  const node = hostname().split('.')[0];
  const partition = 'coastcast';
  const paths = {
    key: join(dir, 'munge.key'),
    socket: join(dir, 'munge.socket'),
    conf: join(dir, 'slurm.conf'),
    state: join(dir, 'state'),
    spool: join(dir, 'spool'),
  };
  await mkdir(paths.state);
  await mkdir(paths.spool);
  execFileSync('mungekey', ['--create', '--keyfile', paths.key]);
  const munged = daemon('munged', ['--foreground', '--force', `--key-file=${paths.key}`, `--socket=${paths.socket}`, `--pid-file=${join(dir, 'munged.pid')}`, `--log-file=${join(dir, 'munged.log')}`, `--seed-file=${join(dir, 'munged.seed')}`], process.env);
  const [ctldPort, slurmdPort] = [await freePort(), await freePort()];
  // The cgroup directories slurmd creates (slurm_<node> under each controller) that were not there before: stop() removes them.
  const cgroups = options.memoryPartition ? cgroupRoots(node).filter((path) => !existsSync(path)) : [];
  if (options.memoryPartition) {
    // Read from beside slurm.conf. Swap constrained too, or a job over its memory would swap instead of ending;
    // MinRAMSpace (30 MB unless set) would otherwise raise a smaller partition's limit to 30 MB.
    await writeFile(join(dir, 'cgroup.conf'), ['ConstrainRAMSpace=yes', 'ConstrainSwapSpace=yes', `MinRAMSpace=${options.memoryPartition.megabytesPerCpu}`, ''].join('\n'));
  }
  await writeFile(paths.conf, [
    'ClusterName=coastcast-test',
    `SlurmctldHost=${node}(127.0.0.1)`,
    `SlurmctldPort=${ctldPort}`,
    `SlurmdPort=${slurmdPort}`,
    'AuthType=auth/munge',
    `AuthInfo=socket=${paths.socket}`,
    'CredType=cred/munge',
    'ProctrackType=proctrack/linuxproc',
    options.memoryPartition ? 'TaskPlugin=task/cgroup' : 'TaskPlugin=task/none',
    'ReturnToService=2',
    'SlurmUser=root',
    `StateSaveLocation=${paths.state}`,
    `SlurmdSpoolDir=${paths.spool}`,
    `SlurmctldPidFile=${join(dir, 'slurmctld.pid')}`,
    `SlurmdPidFile=${join(dir, 'slurmd.pid')}`,
    `SlurmctldLogFile=${join(dir, 'slurmctld.log')}`,
    `SlurmdLogFile=${join(dir, 'slurmd.log')}`,
    'SchedulerType=sched/backfill',
    'SelectType=select/cons_tres',
    options.memoryPartition ? 'SelectTypeParameters=CR_Core_Memory' : 'SelectTypeParameters=CR_Core',
    ...(options.memoryPartition ? ['DefMemPerCPU=1000'] : []),
    'JobAcctGatherType=jobacct_gather/none',
    ...(options.killWait === undefined ? [] : [`KillWait=${options.killWait}`]),
    ...(options.preemptingPartition === undefined ? [] : ['PreemptType=preempt/partition_prio', 'PreemptMode=CANCEL']),
    'AccountingStorageType=accounting_storage/none',
    // Ended jobs stay known to scontrol for an hour: their end state is read from there.
    'MinJobAge=3600',
    'SchedulerParameters=sched_interval=1',
    `NodeName=${node} NodeAddr=127.0.0.1 CPUs=2 RealMemory=4000 State=UNKNOWN`,
    `PartitionName=${partition} Nodes=${node} Default=YES MaxTime=INFINITE State=UP`,
    ...(options.preemptingPartition === undefined ? [] : [`PartitionName=${options.preemptingPartition} Nodes=${node} MaxTime=INFINITE State=UP PriorityTier=2`]),
    ...(options.memoryPartition === undefined ? [] : [`PartitionName=${options.memoryPartition.name} Nodes=${node} MaxTime=INFINITE State=UP DefMemPerCPU=${options.memoryPartition.megabytesPerCpu}`]),
    '',
  ].join('\n'));
  const env = { ...process.env, SLURM_CONF: paths.conf };
  const stopDaemons = async (children: ChildProcess[]) => {
    for (const child of children) child.kill('SIGTERM');
    await Promise.all(children.map((child) => (child.exitCode === null && child.signalCode === null ? new Promise((resolve) => child.once('exit', resolve)) : undefined)));
  };
  const children = [munged];
  try {
    await until('munged listening', () => {
      try {
        execFileSync('sh', ['-c', `munge -n --socket=${paths.socket} | unmunge --socket=${paths.socket}`], { stdio: 'ignore' });
        return true;
      } catch {
        return false;
      }
    });
    children.push(daemon('slurmctld', ['-D', '-i', '-f', paths.conf], env));
    children.push(daemon('slurmd', ['-D', '-f', paths.conf], env));
    await until('the node idle in sinfo', () => {
      try {
        // A line per partition: the node is idle in each.
        return execFileSync('sinfo', ['-h', '-o', '%T'], { env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim().split('\n').every((state) => state === 'idle');
      } catch {
        return false;
      }
    });
  } catch (error) {
    await stopDaemons(children.reverse());
    for (const path of cgroups) await removeCgroup(path);
    throw error;
  }
  process.env.SLURM_CONF = paths.conf;
  return {
    dir,
    node,
    partition,
    env,
    async stop() {
      await stopDaemons([...children].reverse());
      for (const path of cgroups) await removeCgroup(path);
      delete process.env.SLURM_CONF;
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** Where slurmd puts its jobs' cgroups on a cgroup v1 host (Debian's SLURM is built for several slurmd per host: slurm_<node>). */
function cgroupRoots(node: string): string[] {
  const root = '/sys/fs/cgroup';
  return ['memory', 'freezer', 'cpuset', 'devices'].map((controller) => join(root, controller, `slurm_${node}`));
}

/**
 * Removes a cgroup and those below it, deepest first. slurmd leaves the
 * cgroups of jobs it did not see end (a node set down, a preempted job).
 * A cgroup still holding a process stays: rmdir refuses it.
 */
async function removeCgroup(path: string): Promise<void> {
  const entries = await readdir(path, { withFileTypes: true }).catch(() => []);
  for (const entry of entries) if (entry.isDirectory()) await removeCgroup(join(path, entry.name));
  await rmdir(path).catch(() => undefined);
}

/** A job's JobState as the cluster reports it (SLURM_CONF set by startSlurmCluster). */
export function slurmJobState(jobId: number): string | undefined {
  return /JobState=(\S+)/.exec(execFileSync('scontrol', ['show', 'job', '-o', String(jobId)], { encoding: 'utf8' }))?.[1];
}

/** Live (non-zombie) processes running the model on a run directory, wherever the cluster started them. */
export function modelProcesses(runDir: string): number[] {
  return readdirSync('/proc').filter((e) => /^\d+$/.test(e)).filter((pid) => {
    try {
      const argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
      return readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.[0] !== 'Z' && argv.includes('model') && argv.includes(runDir);
    } catch {
      return false;
    }
  }).map(Number);
}
