/**
 * The multipart forms that carry an hgrid.gr3: the site form that creates or
 * replaces a site (a `config` field, the site config as JSON text, and a
 * `mesh` file) and the mesh check form (a `coordinates` field and a `mesh`
 * file). The mesh is streamed to a file of its own under the data
 * directory's uploads folder, never held in memory, and removed once the
 * request is done with it, whatever the outcome.
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

export interface UploadOptions {
  uploadsDir: string;
  maxMeshBytes: number;
}

export interface SiteFormOptions extends UploadOptions {
  meshRequired: boolean;
}

/** A form of one JSON text field and one hgrid.gr3 file. */
interface MeshFormSpec {
  /** The form as messages name it: 'site form'. */
  name: string;
  /** The error code of a form with problems. */
  code: string;
  usage: string;
  /** The JSON text field. */
  field: string;
  /** What the JSON field holds, for the message when it is missing; undefined when it may be left out. */
  fieldRequired?: string;
  meshRequired: boolean;
}

interface MeshFormContent {
  /** The JSON field parsed; undefined when it was left out. */
  value: unknown;
  meshFile?: string;
}

interface FormProblem {
  field: string;
  message: string;
}

/** @fastify/multipart limits for a mesh form: one file, and a JSON field that may be large (a config with per-node tidal constants passes the 1 MB default). */
export function meshFormLimits(maxMeshBytes: number) {
  return { fileSize: maxMeshBytes, files: 1, fields: 4, parts: 6, fieldSize: 16 * 1024 * 1024 };
}

/** Reads the site form, hands it to `use`, and removes the uploaded mesh afterwards. */
export async function withSiteForm<T>(request: FastifyRequest, options: SiteFormOptions, use: (form: SiteForm) => Promise<T>): Promise<T> {
  const spec: MeshFormSpec = {
    name: 'site form',
    code: 'bad-site-form',
    usage: 'send multipart/form-data with a "config" field (the site config as JSON text) and a "mesh" file (hgrid.gr3)',
    field: 'config',
    fieldRequired: 'the site config as JSON text',
    meshRequired: options.meshRequired,
  };
  return withMeshForm(request, spec, options, ({ value, meshFile }) => use({ config: value, meshFile }));
}

/** Reads the mesh check form (the mesh is required, the coordinates are not), hands it to `use`, and removes the uploaded mesh afterwards. */
export async function withMeshCheckForm<T>(request: FastifyRequest, options: UploadOptions, use: (form: { coordinates: unknown; meshFile: string }) => Promise<T>): Promise<T> {
  const spec: MeshFormSpec = {
    name: 'mesh check form',
    code: 'bad-mesh-form',
    usage: 'send multipart/form-data with a "mesh" file (hgrid.gr3) and, optionally, a "coordinates" field (JSON text: {"ics":2} or {"ics":1,"crs":"EPSG:…"})',
    field: 'coordinates',
    meshRequired: true,
  };
  return withMeshForm(request, spec, options, ({ value, meshFile }) => use({ coordinates: value, meshFile: meshFile as string }));
}

async function withMeshForm<T>(request: FastifyRequest, spec: MeshFormSpec, options: UploadOptions, use: (form: MeshFormContent) => Promise<T>): Promise<T> {
  if (!request.isMultipart()) throw new ApiError(415, 'unsupported-media-type', spec.usage);
  let meshFile: string | undefined;
  try {
    let text: string | undefined;
    const problems: FormProblem[] = [];
    for await (const part of request.parts()) {
      if (part.type === 'file') {
        if (part.fieldname !== 'mesh' || meshFile !== undefined) {
          part.file.resume();
          problems.push({ field: part.fieldname, message: part.fieldname === 'mesh' ? 'is given twice' : `is not a file of the ${spec.name} (expected "mesh")` });
          continue;
        }
        meshFile = join(options.uploadsDir, `${randomUUID()}.gr3`);
        await pipeline(part.file, createWriteStream(meshFile, { flags: 'wx' }));
        // busboy stops writing at the limit and ends the stream quietly: the flag is the only sign.
        if (part.file.truncated) throw new ApiError(413, 'mesh-too-large', `hgrid.gr3 is larger than the limit of ${options.maxMeshBytes} bytes`);
      } else if (part.fieldname === spec.field) {
        if (part.valueTruncated) throw new ApiError(413, `${spec.field}-too-large`, `the ${spec.field} field is larger than the limit for a form field`);
        text = typeof part.value === 'string' ? part.value : JSON.stringify(part.value);
      } else {
        problems.push({ field: part.fieldname, message: `is not a field of the ${spec.name} (expected "${spec.field}" and "mesh")` });
      }
    }
    const value = parseField(spec, text, problems);
    if (spec.meshRequired && meshFile === undefined) problems.push({ field: 'mesh', message: 'is required: the hgrid.gr3 file' });
    if (problems.length > 0) throw new ApiError(400, spec.code, [spec.usage, ...problems.map((p) => `${p.field}: ${p.message}`)].join('\n'), problems);
    return await use({ value, meshFile });
  } catch (error) {
    // @fastify/multipart answers a field sent as invalid application/json with 406; it is a bad request like any other bad JSON.
    if ((error as { code?: string }).code === 'FST_INVALID_JSON_FIELD_ERROR') {
      throw new ApiError(400, spec.code, `${spec.field}: is not JSON`, [{ field: spec.field, message: 'is not JSON' }]);
    }
    throw error;
  } finally {
    if (meshFile !== undefined) await rm(meshFile, { force: true });
  }
}

function parseField(spec: MeshFormSpec, text: string | undefined, problems: FormProblem[]): unknown {
  if (text === undefined) {
    if (spec.fieldRequired !== undefined) problems.push({ field: spec.field, message: `is required: ${spec.fieldRequired}` });
    return undefined;
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    problems.push({ field: spec.field, message: `is not JSON: ${(error as Error).message}` });
    return undefined;
  }
}
