/**
 * Alert e-mail through the installation's SMTP server: COASTCAST_SMTP_URL
 * (`smtp://user:pass@host:port`, or `smtps://` for TLS from the start) and
 * COASTCAST_SMTP_FROM (the sender address). One plain-text message per alert
 * to all of a site's recipients.
 */
import { createTransport } from 'nodemailer';

import type { Alert } from '../alerts.js';

export interface SmtpSettings {
  url: string;
  from: string;
}

/** The SMTP settings of the environment; undefined when COASTCAST_SMTP_URL is not set (e-mail cannot be sent). */
export function smtpSettings(env: NodeJS.ProcessEnv): SmtpSettings | undefined {
  const url = env.COASTCAST_SMTP_URL?.trim();
  if (!url) return undefined;
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new Error(`COASTCAST_SMTP_URL "${url}" is not a URL (expected smtp://user:pass@host:port)`);
  }
  if (parsed.protocol !== 'smtp:' && parsed.protocol !== 'smtps:') throw new Error(`COASTCAST_SMTP_URL must start with smtp:// or smtps://, got ${parsed.protocol}//`);
  const from = env.COASTCAST_SMTP_FROM?.trim();
  if (!from) throw new Error('COASTCAST_SMTP_FROM must name the sender address when COASTCAST_SMTP_URL is set');
  return { url, from };
}

const UNITS: Record<Alert['kind'], string> = { stationLevel: 'm', waveHeight: 'm', floodedArea: 'km²', floodedPolygon: 'km²' };
const WHAT: Record<Alert['kind'], string> = {
  stationLevel: 'water level',
  waveHeight: 'significant wave height',
  floodedArea: 'flooded area',
  floodedPolygon: 'flooded area inside',
};

export function alertEmail(site: { id: string; name: string }, cycle: string, alert: Alert): { subject: string; text: string } {
  const unit = UNITS[alert.kind];
  const where = alert.stationId !== undefined ? ` at station ${alert.stationId}` : alert.kind === 'floodedPolygon' ? ` ${alert.name}` : '';
  const subject = `[coastcast] ${site.name}: ${WHAT[alert.kind]}${where} above ${alert.threshold} ${unit} (cycle ${cycle})`;
  const text = [
    `Site: ${site.name} (${site.id})`,
    `Cycle: ${cycle}`,
    `Rule: ${alert.name} (${alert.key})`,
    `Threshold: ${alert.threshold} ${unit}`,
    `Peak value: ${round(alert.value)} ${unit} at ${alert.peakAt}`,
    `First exceeded: ${alert.firstExceededAt}`,
    '',
  ].join('\n');
  return { subject, text };
}

export async function sendAlertEmail(smtp: SmtpSettings, to: readonly string[], message: { subject: string; text: string }): Promise<void> {
  // Bounded well inside the notifying activity's timeout, so a silent server fails this attempt rather than the whole step.
  const transport = createTransport({ url: smtp.url, connectionTimeout: 15_000, greetingTimeout: 15_000, socketTimeout: 30_000 });
  try {
    await transport.sendMail({ from: smtp.from, to: [...to], subject: message.subject, text: message.text });
  } catch (error) {
    throw new Error(`e-mail to ${to.join(', ')} through ${new URL(smtp.url).host}: ${error instanceof Error ? error.message : String(error)}`);
  } finally {
    transport.close();
  }
}

function round(value: number): number {
  return Math.round(value * 1000) / 1000;
}
