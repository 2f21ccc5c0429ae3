/**
 * The multipart form that creates or replaces a site: a `config` field (the
 * site config as JSON text) and a `mesh` file (hgrid.gr3). The mesh is
 * streamed to a file of its own under the data directory's uploads folder,
 * never held in memory, and removed once the request is done with it,
 * whatever the outcome.
 */
import type { FastifyRequest } from 'fastify';
import { randomUUID } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';

import { ApiError } from './errors.js';

export interface SiteForm {
  config: unknown;
  /** The uploaded hgrid.gr3; absent when the form had no mesh and none was required. */
  meshFile?: string;
}

export interface SiteFormOptions {
  uploadsDir: string;
  meshRequired: boolean;
  maxMeshBytes: number;
}

interface FormProblem {
  field: string;
  message: string;
}

const USAGE = 'send multipart/form-data with a "config" field (the site config as JSON text) and a "mesh" file (hgrid.gr3)';

/** Reads the form, hands it to `use`, and removes the uploaded mesh afterwards. */
export async function withSiteForm<T>(request: FastifyRequest, options: SiteFormOptions, use: (form: SiteForm) => Promise<T>): Promise<T> {
  if (!request.isMultipart()) throw new ApiError(415, 'unsupported-media-type', USAGE);
  let meshFile: string | undefined;
  try {
    let configText: string | undefined;
    const problems: FormProblem[] = [];
    for await (const part of request.parts()) {
      if (part.type === 'file') {
        if (part.fieldname !== 'mesh' || meshFile !== undefined) {
          part.file.resume();
          problems.push({ field: part.fieldname, message: part.fieldname === 'mesh' ? 'is given twice' : 'is not a file of the site form (expected "mesh")' });
          continue;
        }
        meshFile = join(options.uploadsDir, `${randomUUID()}.gr3`);
        await pipeline(part.file, createWriteStream(meshFile, { flags: 'wx' }));
        // busboy stops writing at the limit and ends the stream quietly: the flag is the only sign.
        if (part.file.truncated) throw new ApiError(413, 'mesh-too-large', `hgrid.gr3 is larger than the limit of ${options.maxMeshBytes} bytes`);
      } else if (part.fieldname === 'config') {
        if (part.valueTruncated) throw new ApiError(413, 'config-too-large', 'the config field is larger than the limit for a form field');
        configText = typeof part.value === 'string' ? part.value : JSON.stringify(part.value);
      } else {
        problems.push({ field: part.fieldname, message: 'is not a field of the site form (expected "config" and "mesh")' });
      }
    }
    const config = parseConfig(configText, problems);
    if (options.meshRequired && meshFile === undefined) problems.push({ field: 'mesh', message: 'is required: the hgrid.gr3 file' });
    if (problems.length > 0) throw new ApiError(400, 'bad-site-form', [USAGE, ...problems.map((p) => `${p.field}: ${p.message}`)].join('\n'), problems);
    return await use({ config, meshFile });
  } catch (error) {
    // @fastify/multipart answers a config field sent as invalid application/json with 406; it is a bad request like any other bad JSON.
    if ((error as { code?: string }).code === 'FST_INVALID_JSON_FIELD_ERROR') {
      throw new ApiError(400, 'bad-site-form', 'config: is not JSON', [{ field: 'config', message: 'is not JSON' }]);
    }
    throw error;
  } finally {
    if (meshFile !== undefined) await rm(meshFile, { force: true });
  }
}

function parseConfig(text: string | undefined, problems: FormProblem[]): unknown {
  if (text === undefined) {
    problems.push({ field: 'config', message: 'is required: the site config as JSON text' });
    return undefined;
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    problems.push({ field: 'config', message: `is not JSON: ${(error as Error).message}` });
    return undefined;
  }
}
