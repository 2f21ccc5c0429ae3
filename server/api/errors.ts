/**
 * Errors as data: every failure leaves the API as `{ error, message,
 * problems? }` with the status that says whose fault it is. Catalog errors
 * already carry both; request-shape errors from Fastify get one problem per
 * field, named by JSON pointer; anything unexpected is a 500 that shows
 * nothing of the server's insides.
 */
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { STATUS_CODES } from 'node:http';

import { CatalogError } from '../../activities/catalog.js';

/** A problem the API found in a request, before anything reached the catalog. */
export class ApiError extends Error {
  override name = 'ApiError';
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly problems?: readonly object[],
  ) {
    super(message);
  }

  toJSON(): Record<string, unknown> {
    return { error: this.code, message: this.message, ...(this.problems && { problems: this.problems }) };
  }
}

interface RequestProblem {
  /** Which part of the request: body, querystring, params or headers. */
  in: string;
  /** JSON pointer into that part. */
  path: string;
  message: string;
}

interface ValidationIssue {
  instancePath: string;
  keyword: string;
  params: Record<string, unknown>;
  message?: string;
}

function pointerToken(key: string): string {
  return key.replace(/~/g, '~0').replace(/\//g, '~1');
}

/** ajv reports a missing or unknown property at its parent; the problem belongs to the property itself. */
function requestProblem(part: string, issue: ValidationIssue): RequestProblem {
  switch (issue.keyword) {
    case 'required':
      return { in: part, path: `${issue.instancePath}/${pointerToken(String(issue.params.missingProperty))}`, message: 'is required' };
    case 'additionalProperties':
      return { in: part, path: `${issue.instancePath}/${pointerToken(String(issue.params.additionalProperty))}`, message: 'is not a known field' };
    default:
      return { in: part, path: issue.instancePath, message: issue.message ?? issue.keyword };
  }
}

/** 'Payload Too Large' → 'payload-too-large' */
function statusCode(status: number): string {
  return (STATUS_CODES[status] ?? 'error').toLowerCase().replace(/[^a-z0-9]+/g, '-');
}

export function handleError(error: FastifyError | Error, request: FastifyRequest, reply: FastifyReply): void {
  if (error instanceof CatalogError || error instanceof ApiError) {
    void reply.status(error.status).send(error.toJSON());
    return;
  }
  const fastifyError = error as FastifyError;
  if (fastifyError.validation) {
    const part = fastifyError.validationContext ?? 'request';
    const problems = fastifyError.validation.map((issue) => requestProblem(part, issue as ValidationIssue));
    const message = [`invalid ${part}`, ...problems.map((p) => `${p.path || '/'}: ${p.message}`)].join('\n');
    void reply.status(400).send({ error: 'invalid-request', message, problems });
    return;
  }
  const status = fastifyError.statusCode;
  // Fastify's and its plugins' own 4xx errors (body too large, unsupported media type, …) describe the request, so they may be shown.
  if (status !== undefined && status >= 400 && status < 500) {
    void reply.status(status).send({ error: statusCode(status), message: error.message });
    return;
  }
  request.log.error({ err: error }, 'request failed');
  void reply.status(500).send({ error: 'internal', message: 'internal error; the server log has the details' });
}
