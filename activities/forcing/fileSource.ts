/**
 * Forcing from a NetCDF file on disk (a shared archive, a file another system
 * drops). It is copied into the cycle cache rather than linked, so a later
 * rewrite of the original in place cannot change a cycle's inputs; where the
 * filesystem supports it the copy is a reflink and costs nothing.
 */
import { constants } from 'node:fs';
import { copyFile } from 'node:fs/promises';

import type { ForcingOrigin, ForcingRequest } from './source.js';

export class FileForcingOrigin implements ForcingOrigin {
  readonly description: string;
  readonly variableNames: Record<string, string> = {};

  constructor(private readonly path: string) {
    this.description = `file ${path}`;
  }

  async retrieve(_request: ForcingRequest, target: string): Promise<void> {
    try {
      await copyFile(this.path, target, constants.COPYFILE_FICLONE);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      const reason = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a directory' : (error as Error).message;
      throw new Error(`forcing file ${this.path} cannot be read: ${reason}`, { cause: error });
    }
  }
}
