/**
 * Alert webhooks: an HTTP POST of JSON `{ siteId, cycle, alert, sentAt }` to
 * the receiver's URL, signed so that the receiver can tell it came from this
 * installation: `X-Coastcast-Signature: sha256=<hex>` is the HMAC-SHA256 of
 * the raw body under the webhook's secret. `X-Coastcast-Delivery`
 * (`<siteId>:<cycle>:<rule key>`) is the same on every attempt for the same
 * alert, so a receiver can drop a delivery it has seen (see delivery.ts for
 * when one can arrive twice). Any status but 2xx, or no answer within the
 * timeout, is a failure.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

import type { Alert } from '../alerts.js';

export const SIGNATURE_HEADER = 'x-coastcast-signature';
export const DELIVERY_HEADER = 'x-coastcast-delivery';
export const DEFAULT_WEBHOOK_TIMEOUT_MS = 10_000;

export interface Webhook {
  url: string;
  secret: string;
}

export interface AlertMessage {
  siteId: string;
  cycle: string;
  alert: Alert;
  sentAt: string;
}

export function signBody(body: string | Buffer, secret: string): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
}

/** What a receiver does with the header: true when `signature` signs `body` with `secret`. */
export function verifySignature(body: string | Buffer, secret: string, signature: string | undefined): boolean {
  if (signature === undefined) return false;
  const expected = Buffer.from(signBody(body, secret));
  const given = Buffer.from(signature);
  return expected.length === given.length && timingSafeEqual(expected, given);
}

export function deliveryId(message: Pick<AlertMessage, 'siteId' | 'cycle' | 'alert'>): string {
  return `${message.siteId}:${message.cycle}:${message.alert.key}`;
}

/** Posts one alert; throws with the receiver's status (or the network error) when it was not accepted. */
export async function postWebhook(webhook: Webhook, message: AlertMessage, timeoutMs = DEFAULT_WEBHOOK_TIMEOUT_MS): Promise<void> {
  const body = JSON.stringify(message);
  let response: Response;
  try {
    response = await fetch(webhook.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', [SIGNATURE_HEADER]: signBody(body, webhook.secret), [DELIVERY_HEADER]: deliveryId(message) },
      body,
      signal: AbortSignal.timeout(timeoutMs),
      redirect: 'error',
    });
  } catch (error) {
    const reason = error instanceof Error && error.name === 'TimeoutError' ? `no answer within ${timeoutMs} ms` : causeText(error);
    throw new Error(`webhook ${webhook.url}: ${reason}`);
  }
  // The body is not needed, but reading it lets the connection be reused.
  const text = await response.text().catch(() => '');
  if (!response.ok) throw new Error(`webhook ${webhook.url}: HTTP ${response.status}${text ? ` ${text.slice(0, 200)}` : ''}`);
}

function causeText(error: unknown): string {
  if (error instanceof Error) return error.cause instanceof Error ? `${error.message}: ${error.cause.message}` : error.message;
  return String(error);
}
