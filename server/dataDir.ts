import { resolve } from 'node:path';

/** The one directory coastcast writes at run time (ARCHITECTURE.md): COASTCAST_DATA, default ./data. */
export function dataDirectory(env: NodeJS.ProcessEnv = process.env): string {
  return resolve(env.COASTCAST_DATA || 'data');
}
