/**
 * Python packages from PyPI for tests that compare coastcast with an
 * independent implementation (e.g. UTide). They live in the project's
 * `.tools/python` (git-ignored), installed there with pip on first use, so a
 * fresh clone (CI) needs nothing but python3 with pip.
 *
 * Installs go to a temporary sibling folder that is renamed into place when
 * complete: a run that is interrupted, or that races another run, never
 * leaves a half-installed `.tools/python` behind.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);

const PYTHON = 'python3';
const TOOLS = fileURLToPath(new URL('../../.tools/', import.meta.url));
const PYTHON_PACKAGES_DIR = join(TOOLS, 'python');

export interface PythonPackage {
  /** The name pip installs. */
  pip: string;
  /** The module a script imports. */
  module: string;
}

/** How to run python3 so that it imports the packages of `.tools/python`. */
export interface PythonEnvironment {
  python: string;
  env: NodeJS.ProcessEnv;
}

function environment(dir: string): PythonEnvironment {
  // No user site-packages: the packages must come from `dir`, as on a fresh machine.
  return { python: PYTHON, env: { ...process.env, PYTHONPATH: dir, PYTHONNOUSERSITE: '1' } };
}

async function importable(dir: string, packages: readonly PythonPackage[]): Promise<boolean> {
  if (!existsSync(dir)) return false;
  const { python, env } = environment(dir);
  try {
    await run(python, ['-c', packages.map((p) => `import ${p.module}`).join('; ')], { env });
    return true;
  } catch {
    return false;
  }
}

/** A python3 that imports `packages`, installing them into `.tools/python` first when it does not. */
export async function pythonWith(packages: readonly PythonPackage[]): Promise<PythonEnvironment> {
  if (await importable(PYTHON_PACKAGES_DIR, packages)) return environment(PYTHON_PACKAGES_DIR);
  await mkdir(TOOLS, { recursive: true });
  const suffix = `${process.pid}-${Date.now()}`;
  const partial = `${PYTHON_PACKAGES_DIR}.partial-${suffix}`;
  try {
    await run(PYTHON, ['-m', 'pip', 'install', '--disable-pip-version-check', '--no-input', '--quiet', '--target', partial, ...packages.map((p) => p.pip)], {
      maxBuffer: 16 * 1024 * 1024,
    }).catch((error: { stderr?: string; message: string }) => {
      throw new Error(`pip install ${packages.map((p) => p.pip).join(' ')} into ${partial} failed: ${(error.stderr || error.message).trim()}`);
    });
    if (!(await importable(partial, packages))) throw new Error(`pip installed ${packages.map((p) => p.pip).join(' ')} into ${partial}, but python3 cannot import ${packages.map((p) => p.module).join(', ')} from it`);
    if (await importable(PYTHON_PACKAGES_DIR, packages)) return environment(PYTHON_PACKAGES_DIR); // another run finished first
    // An existing folder lacks a package: set it aside, then take its place.
    const old = `${PYTHON_PACKAGES_DIR}.old-${suffix}`;
    if (existsSync(PYTHON_PACKAGES_DIR)) await rename(PYTHON_PACKAGES_DIR, old).catch(() => undefined);
    await rename(partial, PYTHON_PACKAGES_DIR).catch(() => undefined);
    await rm(old, { recursive: true, force: true });
    if (!(await importable(PYTHON_PACKAGES_DIR, packages))) throw new Error(`${PYTHON_PACKAGES_DIR}: python3 cannot import ${packages.map((p) => p.module).join(', ')} after installing them`);
    return environment(PYTHON_PACKAGES_DIR);
  } finally {
    await rm(partial, { recursive: true, force: true });
  }
}
