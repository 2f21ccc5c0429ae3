/**
 * Delivers a cycle's alerts to the site's notification targets, each alert to
 * each target once: the catalog records every delivery that was accepted, and
 * a later attempt (the activity retried after a target failed) skips those.
 *
 * What remains is an at-least-once window: a receiver that accepted a
 * delivery (its 2xx, or the SMTP server's 250) before this process could
 * record it — a crash, or the catalog unwritable, in between — gets it again
 * on the retry. Webhook receivers can drop such a repeat by its
 * X-Coastcast-Delivery header, which is the same on every attempt.
 */
import type { Site } from '../../core/site.js';
import type { Alert } from '../alerts.js';
import type { Catalog, DeliveryChannel, DeliveryKey } from '../catalog.js';
import { alertEmail, sendAlertEmail, type SmtpSettings } from './email.js';
import { postWebhook } from './webhook.js';

export interface NotifyRequest {
  site: { id: string; name: string };
  cycle: string;
  alerts: readonly Alert[];
  notifications: Site['notifications'];
}

export interface NotifyReport {
  sent: number;
  /** Delivered by an earlier attempt. */
  alreadySent: number;
  /** One line per delivery that failed in this attempt. */
  failures: string[];
}

interface Target {
  channel: DeliveryChannel;
  target: string;
  send(alert: Alert): Promise<void>;
}

export interface NotifyOptions {
  catalog: Catalog;
  /** The installation's SMTP server; without it, e-mail targets fail. */
  smtp?: SmtpSettings;
  webhookTimeoutMs?: number;
}

export async function deliverAlerts(request: NotifyRequest, options: NotifyOptions): Promise<NotifyReport> {
  const { catalog } = options;
  const report: NotifyReport = { sent: 0, alreadySent: 0, failures: [] };
  const targets = notificationTargets(request, options);
  for (const alert of request.alerts) {
    for (const target of targets) {
      const key: DeliveryKey = { siteId: request.site.id, cycle: request.cycle, ruleKey: alert.key, channel: target.channel, target: target.target };
      if (catalog.getDelivery(key)?.status === 'sent') {
        report.alreadySent++;
        continue;
      }
      try {
        await target.send(alert);
      } catch (error) {
        const reason = error instanceof Error ? error.message : String(error);
        catalog.recordDelivery(key, { sent: false, error: reason });
        report.failures.push(`${alert.key} → ${reason}`);
        continue;
      }
      catalog.recordDelivery(key, { sent: true });
      report.sent++;
    }
  }
  return report;
}

function notificationTargets({ site, cycle, notifications }: NotifyRequest, options: NotifyOptions): Target[] {
  const targets: Target[] = (notifications?.webhooks ?? []).map((webhook) => ({
    channel: 'webhook',
    target: webhook.url,
    send: (alert) => postWebhook(webhook, { siteId: site.id, cycle, alert, sentAt: new Date().toISOString() }, options.webhookTimeoutMs),
  }));
  const to = notifications?.email?.to;
  if (to && to.length > 0) {
    targets.push({
      channel: 'email',
      target: to.join(', '),
      send: async (alert) => {
        if (!options.smtp) throw new Error('no SMTP server is configured for this installation (COASTCAST_SMTP_URL, COASTCAST_SMTP_FROM)');
        await sendAlertEmail(options.smtp, to, alertEmail(site, cycle, alert));
      },
    });
  }
  return targets;
}
