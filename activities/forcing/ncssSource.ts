/**
 * Forcing from a THREDDS NetCDF Subset Service (NCSS) grid endpoint: one GET
 * with the variables, the lon/lat box and the time range, answered with a
 * NetCDF file. Forecast servers are busy at cycle time, so an attempt that
 * fails for a reason that may pass (network, timeout, 5xx, 408, 429, a body
 * cut short) is retried with exponential backoff; a request the server
 * refuses (other 4xx) fails at once, naming the status and the server's reason.
 */
import { open, rm } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as NodeReadableStream } from 'node:stream/web';
import { setTimeout as sleep } from 'node:timers/promises';

import type { ForcingOrigin, ForcingRequest, ForcingSourceConfig } from './source.js';

type NcssConfig = Extract<ForcingSourceConfig, { type: 'ncss' }>;

const DEFAULT_TIMEOUT_MS = 120_000;
const DEFAULT_RETRIES = 3;
const DEFAULT_RETRY_DELAY_MS = 1000;
/** A server asking for a longer pause than this will not be ready within the cycle's fetch window. */
const MAX_RETRY_AFTER_MS = 5 * 60_000;
/** Enough of an error body to find the server's one-line reason. */
const ERROR_BODY_BYTES = 8192;

export class ForcingFetchError extends Error {
  constructor(
    readonly url: string,
    readonly reason: string,
    readonly attempts: number,
    readonly status?: number,
    options?: ErrorOptions,
  ) {
    super(`forcing request ${url} failed: ${reason}${attempts > 1 ? ` (gave up after ${attempts} attempts)` : ''}`, options);
    this.name = 'ForcingFetchError';
  }
}

/** Why one attempt failed, and whether another one may succeed. */
class AttemptFailure extends Error {
  constructor(
    readonly reason: string,
    readonly retryable: boolean,
    readonly status?: number,
    readonly retryAfterMs?: number,
    options?: ErrorOptions,
  ) {
    super(reason, options);
  }
}

export class NcssForcingOrigin implements ForcingOrigin {
  readonly description: string;
  readonly variableNames: Record<string, string>;
  private readonly endpoint: URL;
  private readonly timeoutMs: number;
  private readonly retries: number;
  private readonly retryDelayMs: number;

  constructor(config: NcssConfig) {
    let endpoint: URL;
    try {
      endpoint = new URL(config.url);
    } catch {
      throw new Error(`NCSS forcing source: '${config.url}' is not a URL`);
    }
    if (endpoint.protocol !== 'http:' && endpoint.protocol !== 'https:') {
      throw new Error(`NCSS forcing source: '${config.url}' is not an http or https URL`);
    }
    this.endpoint = endpoint;
    this.description = `ncss ${config.url}`;
    this.variableNames = { ...config.variableNames };
    this.timeoutMs = positive('timeoutMs', config.timeoutMs ?? DEFAULT_TIMEOUT_MS);
    this.retries = count('retries', config.retries ?? DEFAULT_RETRIES);
    this.retryDelayMs = count('retryDelayMs', config.retryDelayMs ?? DEFAULT_RETRY_DELAY_MS);
  }

  /** The NCSS grid query: repeated `var`, the lat/lon box, a time range, NetCDF back. */
  query(request: ForcingRequest): URL {
    const url = new URL(this.endpoint);
    const params = url.searchParams;
    for (const variable of request.variables) params.append('var', this.variableNames[variable] ?? variable);
    const { west, south, east, north } = request.bbox;
    params.set('north', String(north));
    params.set('west', String(west));
    // NCSS wants a box across the antimeridian as an east edge beyond 180.
    params.set('east', String(east < west ? east + 360 : east));
    params.set('south', String(south));
    params.set('time_start', w3cDate(request.start));
    params.set('time_end', w3cDate(request.end));
    params.set('accept', 'netcdf');
    return url;
  }

  async retrieve(request: ForcingRequest, target: string, signal?: AbortSignal): Promise<void> {
    const url = this.query(request);
    for (let attempt = 1; ; attempt++) {
      signal?.throwIfAborted();
      let failure: AttemptFailure;
      try {
        await this.attempt(url, target, signal);
        return;
      } catch (error) {
        if (signal?.aborted) throw signal.reason;
        failure = error as AttemptFailure;
      }
      await rm(target, { force: true });
      if (!failure.retryable || attempt > this.retries) {
        throw new ForcingFetchError(url.href, failure.reason, attempt, failure.status, { cause: failure.cause ?? failure });
      }
      const delay = failure.retryAfterMs ?? this.backoff(attempt);
      if (delay > MAX_RETRY_AFTER_MS) {
        const reason = `${failure.reason}; the server asks to retry after ${Math.round(delay / 1000)} s, more than the ${MAX_RETRY_AFTER_MS / 1000} s a forcing fetch waits`;
        throw new ForcingFetchError(url.href, reason, attempt, failure.status);
      }
      await sleep(delay, undefined, { signal });
    }
  }

  /** Exponential, with jitter so that many sites' workers retrying together spread out. */
  private backoff(attempt: number): number {
    const ceiling = this.retryDelayMs * 2 ** (attempt - 1);
    return ceiling / 2 + Math.random() * (ceiling / 2);
  }

  /** One GET streamed to `target`; throws an AttemptFailure. The timeout covers the body too. */
  private async attempt(url: URL, target: string, signal?: AbortSignal): Promise<void> {
    const timeout = AbortSignal.timeout(this.timeoutMs);
    const attemptSignal = signal ? AbortSignal.any([signal, timeout]) : timeout;
    let received: number | undefined;
    let expected: number | undefined;
    try {
      const response = await fetch(url, { signal: attemptSignal, headers: { accept: 'application/x-netcdf, application/x-netcdf4;q=0.9, */*;q=0.1' } });
      if (!response.ok) {
        const line = await firstLine(response);
        const status = `HTTP ${response.status}${response.statusText ? ` ${response.statusText}` : ''}`;
        throw new AttemptFailure(
          line ? `${status}: ${line}` : status,
          response.status >= 500 || response.status === 408 || response.status === 429,
          response.status,
          retryAfterMs(response.headers.get('retry-after')),
        );
      }
      if (!response.body) throw new AttemptFailure(`HTTP ${response.status} with no body`, true, response.status);
      // With a Content-Encoding the length counts compressed bytes, and fetch checks those itself.
      const length = response.headers.get('content-length');
      expected = length !== null && !response.headers.has('content-encoding') ? Number(length) : undefined;
      received = 0;
      // Opened before streaming: a write stream that opens lazily can create the file after a failed attempt removed it.
      const file = await open(target, 'w');
      await pipeline(
        Readable.fromWeb(response.body as NodeReadableStream<Uint8Array>),
        async function* (chunks: AsyncIterable<Buffer>) {
          for await (const chunk of chunks) {
            received! += chunk.length;
            yield chunk;
          }
        },
        file.createWriteStream(),
      );
      if (expected !== undefined && received !== expected) {
        throw new AttemptFailure(`body cut short: received ${received} of the ${expected} bytes announced by Content-Length`, true);
      }
    } catch (error) {
      if (error instanceof AttemptFailure || signal?.aborted) throw error;
      const cause = describe(error);
      if (timeout.aborted) {
        const stage = received === undefined ? 'no response' : `received ${received}${expected === undefined ? '' : ` of ${expected}`} bytes`;
        throw new AttemptFailure(`timed out after ${this.timeoutMs} ms (${stage})`, true, undefined, undefined, { cause: error });
      }
      const reason = received === undefined
        ? `network error: ${cause}`
        : `body cut short after ${received}${expected === undefined ? '' : ` of ${expected}`} bytes: ${cause}`;
      throw new AttemptFailure(reason, true, undefined, undefined, { cause: error });
    }
  }
}

/** The first line of an error body that says something once markup is removed. */
async function firstLine(response: Response): Promise<string | undefined> {
  if (!response.body) return undefined;
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    while (size < ERROR_BODY_BYTES) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
      size += value.length;
    }
  } catch {
    // A reason cut short is still a reason; the status already says what matters.
  } finally {
    await reader.cancel().catch(() => undefined);
  }
  const text = Buffer.concat(chunks).subarray(0, ERROR_BODY_BYTES).toString('utf8');
  const line = text
    .split(/\r?\n/)
    .map((l) => l.replace(/<[^>]*>/g, ' ').replace(/\s+/g, ' ').trim())
    .find((l) => l.length > 0);
  return line && line.length > 200 ? `${line.slice(0, 200)}…` : line;
}

/** Retry-After as delay-seconds or an HTTP date (RFC 9110 §10.2.3). */
function retryAfterMs(header: string | null): number | undefined {
  if (header === null) return undefined;
  const value = header.trim();
  if (/^\d+$/.test(value)) return Number(value) * 1000;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now());
}

/** fetch hides the socket's reason in `cause`. */
function describe(error: unknown): string {
  const err = error as Error & { cause?: { code?: string; message?: string } };
  const cause = err.cause?.code ?? err.cause?.message;
  return cause && !err.message.includes(cause) ? `${err.message} (${cause})` : err.message;
}

function w3cDate(date: Date): string {
  return date.toISOString().replace('.000Z', 'Z');
}

function positive(name: string, value: number): number {
  if (!(Number.isFinite(value) && value > 0)) throw new Error(`NCSS forcing source: ${name} must be a positive number, got ${value}`);
  return value;
}

function count(name: string, value: number): number {
  if (!(Number.isInteger(value) && value >= 0)) throw new Error(`NCSS forcing source: ${name} must be a whole number >= 0, got ${value}`);
  return value;
}
