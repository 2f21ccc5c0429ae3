/**
 * Where coastcast is installed and which version it is: the nearest folder
 * above this module holding coastcast's package.json (the sources under tsx
 * and dist/ both sit below it).
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export function projectRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest) && JSON.parse(readFileSync(manifest, 'utf8')).name === 'coastcast') return dir;
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`coastcast's package.json not found above ${fileURLToPath(import.meta.url)}`);
    dir = parent;
  }
}

/** package.json's version: what run.json and the API report. */
export function projectVersion(): string {
  return (JSON.parse(readFileSync(join(projectRoot(), 'package.json'), 'utf8')) as { version: string }).version;
}
