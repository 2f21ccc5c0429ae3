/**
 * What the API suites share: a CycleControl for suites that run no cycles,
 * and one request helper speaking to the API under test.
 */
import type { CycleControl } from '../../server/api/cycleControl.js';

/** Starting a cycle is an error here: these suites test the API, not cycles. */
export const noCycles: CycleControl = {
  start: () => Promise.reject(new Error('no cycles run in this suite')),
  progress: async () => undefined,
  cancel: async () => false,
};

export interface ApiReply {
  status: number;
  headers: Headers;
  /** The parsed body when the reply is JSON. */
  json: any;
  text: string;
}

/** A FormData body goes as multipart, any other object as JSON. */
export async function request(base: string, method: string, path: string, body?: FormData | object): Promise<ApiReply> {
  const init: RequestInit = { method };
  if (body instanceof FormData) init.body = body;
  else if (body !== undefined) {
    init.body = JSON.stringify(body);
    init.headers = { 'content-type': 'application/json' };
  }
  const response = await fetch(base + path, init);
  const text = await response.text();
  const json = response.headers.get('content-type')?.includes('json') ? JSON.parse(text) : undefined;
  return { status: response.status, headers: response.headers, json, text };
}
