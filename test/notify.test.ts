/**
 * Alert notifications end to end: a short cycle of the demo site on the real
 * Temporal dev server whose thresholds certainly fire, two webhook receivers
 * and an SMTP server on 127.0.0.1. Receiver B refuses its first request, so
 * the notifying activity is retried; every alert still reaches each receiver
 * (and the mailbox) exactly once, signed with the receiver's secret.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { openCatalog, type Catalog } from '../activities/catalog.js';
import type { CycleSummary } from '../activities/cycle.js';
import { smtpSettings } from '../activities/notify/email.js';
import { DELIVERY_HEADER, SIGNATURE_HEADER, signBody, verifySignature } from '../activities/notify/webhook.js';
import { buildApi } from '../server/api/app.js';
import { installDemoSite } from '../server/demo/install.js';
import { TemporalCycles } from '../server/temporalCycles.js';
import { bundleWorkflows, startCycleWorker, startDevServer, type DevServer, type RunningWorker } from './support/temporalServer.js';

interface Received {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

/** A webhook receiver that answers each request with the next status of `statuses` (the last one repeats). */
async function startReceiver(statuses: number[]): Promise<{ server: Server; url: string; received: Received[] }> {
  const received: Received[] = [];
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const status = statuses[Math.min(received.length, statuses.length - 1)];
      received.push({ status, headers: request.headers, body: Buffer.concat(chunks).toString('utf8') });
      response.writeHead(status).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`, received };
}

const SECRET_A = 'receiver-a-secret-0123456789';
const SECRET_B = 'receiver-b-secret-9876543210';

let server: DevServer;
let dataDir: string;
let catalog: Catalog;
let worker: RunningWorker;
let receiverA: Awaited<ReturnType<typeof startReceiver>>;
let receiverB: Awaited<ReturnType<typeof startReceiver>>;
let smtp: SMTPServer;
const mails: { to: string[]; data: string }[] = [];

beforeAll(async () => {
  Runtime.install({ logger: new DefaultLogger('WARN') });
  receiverA = await startReceiver([200]);
  receiverB = await startReceiver([500, 200]);
  smtp = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        mails.push({ to: session.envelope.rcptTo.map((r) => r.address), data: Buffer.concat(chunks).toString('utf8') });
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => smtp.listen(0, '127.0.0.1', resolve));
  const smtpPort = (smtp.server.address() as AddressInfo).port;

  server = await startDevServer();
  dataDir = await mkdtemp(join(tmpdir(), 'coastcast-notify-'));
  catalog = openCatalog(dataDir);
  await installDemoSite(catalog, join(dataDir, 'uploads'));
  const demo = catalog.getSite('demo').config;
  await catalog.updateSite('demo', {
    ...demo,
    schedule: { ...demo.schedule, forecastHours: 6, spinUpHours: 1 },
    // Far below any water level the tide gives: both fire whatever the phase of the tide.
    thresholds: {
      stationLevel: [
        { stationId: 'mouth', level: -50, name: 'always' },
        { stationId: 'mid', level: -50, name: 'always' },
      ],
    },
    notifications: {
      webhooks: [
        { url: receiverA.url, secret: SECRET_A },
        { url: receiverB.url, secret: SECRET_B },
      ],
      email: { to: ['duty@example.org'] },
    },
  });
  worker = await startCycleWorker(server, {
    dataDir,
    catalog,
    workflowBundle: await bundleWorkflows(),
    smtp: { url: `smtp://127.0.0.1:${smtpPort}`, from: 'coastcast@example.org' },
  });
}, 120_000);

afterAll(async () => {
  await worker?.stop();
  catalog?.close();
  await server?.stop();
  receiverA?.server.close();
  receiverB?.server.close();
  await new Promise<void>((resolve) => (smtp ? smtp.close(() => resolve()) : resolve()));
  await rm(dataDir, { recursive: true, force: true });
}, 60_000);

describe('alert notifications', () => {
  it('delivers each alert exactly once per receiver and mailbox, even when the notifying activity is retried', async () => {
    const cycles = new TemporalCycles(server.env.client);
    const cycle = '2026-11-25T00:00:00.000Z';
    const { workflowId } = await cycles.start('demo', new Date(cycle));
    const summary = (await server.env.client.workflow.getHandle(workflowId).result()) as CycleSummary;
    const keys = summary.products.alerts.map((a) => a.key).sort();
    expect(keys).toEqual(['stationLevel:mid:always', 'stationLevel:mouth:always']);
    expect(summary.messages.filter((m) => m.includes('notifications'))).toEqual([]);

    const accepted = (received: Received[], secret: string) =>
      received
        .filter((r) => r.status === 200)
        .map((r) => {
          expect(verifySignature(r.body, secret, r.headers[SIGNATURE_HEADER] as string)).toBe(true);
          const message = JSON.parse(r.body) as { siteId: string; cycle: string; alert: { key: string } };
          expect(r.headers[DELIVERY_HEADER]).toBe(`demo:${cycle}:${message.alert.key}`);
          expect(message).toMatchObject({ siteId: 'demo', cycle });
          return message.alert.key;
        })
        .sort();
    expect(accepted(receiverA.received, SECRET_A)).toEqual(keys);
    expect(receiverA.received).toHaveLength(2);
    // B refused its first request; the retry sent that alert again and nothing else.
    expect(accepted(receiverB.received, SECRET_B)).toEqual(keys);
    expect(receiverB.received).toHaveLength(3);
    expect(verifySignature(receiverB.received[0].body, SECRET_A, receiverB.received[0].headers[SIGNATURE_HEADER] as string)).toBe(false);

    // Two attempts of the activity in the workflow's history.
    const history = await server.env.client.workflow.getHandle(workflowId).fetchHistory();
    const events = history.events ?? [];
    const scheduled = events.filter((e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'notifyAlerts');
    expect(scheduled).toHaveLength(1);
    const notifyStart = events.find((e) => String(e.activityTaskStartedEventAttributes?.scheduledEventId) === String(scheduled[0].eventId));
    expect(notifyStart?.activityTaskStartedEventAttributes?.attempt).toBe(2);

    // One mail per alert, each naming the site, the cycle and the rule.
    expect(mails).toHaveLength(2);
    for (const mail of mails) {
      expect(mail.to).toEqual(['duty@example.org']);
      expect(mail.data).toContain(`Cycle: ${cycle}`);
      expect(mail.data).toMatch(/Rule: always \(stationLevel:(mouth|mid):always\)/);
      expect(mail.data).toContain('Threshold: -50 m');
    }

    // The API lists the alerts with where they went.
    const api = buildApi({ dataDir, catalog, cycles });
    try {
      const response = await api.inject({ method: 'GET', url: '/api/sites/demo/alerts?limit=5' });
      expect(response.statusCode).toBe(200);
      const [listed] = response.json() as { cycle: string; alerts: { key: string; deliveries: { channel: string; target: string; status: string; attempts: number }[] }[] }[];
      expect(listed.cycle).toBe(cycle);
      expect(listed.alerts).toHaveLength(2);
      for (const alert of listed.alerts) {
        expect(alert.deliveries.map((d) => [d.channel, d.status]).sort()).toEqual([['email', 'sent'], ['webhook', 'sent'], ['webhook', 'sent']]);
      }
      const retried = listed.alerts.flatMap((a) => a.deliveries).filter((d) => d.target === receiverB.url && d.attempts === 2);
      expect(retried).toHaveLength(1);
    } finally {
      await api.close();
    }
  }, 180_000);
});

describe('webhook signature', () => {
  it('is the hex HMAC-SHA256 of the raw body (RFC 4231 test case 2)', () => {
    expect(signBody('what do ya want for nothing?', 'Jefe')).toBe('sha256=5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843');
    expect(verifySignature('what do ya want for nothing?', 'Jefe', 'sha256=5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843')).toBe(true);
    expect(verifySignature('what do ya want for nothing!', 'Jefe', 'sha256=5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843')).toBe(false);
    expect(verifySignature('x', 'Jefe', undefined)).toBe(false);
  });
});

describe('SMTP settings', () => {
  it('come from COASTCAST_SMTP_URL and COASTCAST_SMTP_FROM, and a bad one is named', () => {
    expect(smtpSettings({})).toBeUndefined();
    expect(smtpSettings({ COASTCAST_SMTP_URL: 'smtp://u:p@mail.example.org:587', COASTCAST_SMTP_FROM: 'coastcast@example.org' })).toEqual({
      url: 'smtp://u:p@mail.example.org:587',
      from: 'coastcast@example.org',
    });
    expect(() => smtpSettings({ COASTCAST_SMTP_URL: 'http://mail.example.org', COASTCAST_SMTP_FROM: 'a@b.org' })).toThrow(/COASTCAST_SMTP_URL must start with smtp:\/\//);
    expect(() => smtpSettings({ COASTCAST_SMTP_URL: 'smtp://mail.example.org' })).toThrow(/COASTCAST_SMTP_FROM/);
  });
});
