/**
 * Alerts of a site's recent cycles, each with where it was delivered: a
 * target with no delivery recorded has not been tried (yet), a failed one
 * carries the last error and is tried again while the cycle's notification
 * step retries.
 */
import type { FastifyPluginAsync, RawServerDefault } from 'fastify';
import { Type } from 'typebox';

import type { Alert } from '../../activities/alerts.js';
import type { Catalog } from '../../activities/catalog.js';
import { AlertSchema, CycleTime, SiteIdParams, errorResponses, type TypeBoxProvider } from './schemas.js';

const Delivery = Type.Object({
  channel: Type.Union([Type.Literal('webhook'), Type.Literal('email')]),
  target: Type.String({ description: "the webhook's URL, or the e-mail recipients" }),
  status: Type.Union([Type.Literal('sent'), Type.Literal('failed')]),
  attempts: Type.Integer({ minimum: 1 }),
  lastError: Type.Union([Type.String(), Type.Null()]),
  sentAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
});

const CycleAlerts = Type.Object({
  cycle: CycleTime,
  alerts: Type.Array(Type.Object({ ...AlertSchema.properties, deliveries: Type.Array(Delivery) })),
});

export const alertsPlugin: FastifyPluginAsync<{ catalog: Catalog }, RawServerDefault, TypeBoxProvider> = async (app, { catalog }) => {
  app.get(
    '/api/sites/:siteId/alerts',
    {
      schema: {
        summary: "the alerts of a site's completed cycles among its newest, newest first, with their deliveries",
        tags: ['cycles'],
        params: SiteIdParams,
        querystring: Type.Object({ limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, description: 'cycles looked at (default 10)' })) }, { additionalProperties: false }),
        response: { 200: Type.Array(CycleAlerts), ...errorResponses(400, 404) },
      },
    },
    async (request) => {
      const { siteId } = request.params;
      return catalog
        .listCycles(siteId, { limit: request.query.limit ?? 10 })
        .filter((record) => record.status === 'completed')
        .map(({ cycle, summary }) => {
          const deliveries = catalog.listDeliveries(siteId, cycle);
          const alerts = ((summary as { alerts?: Alert[] } | null)?.alerts ?? []).map((alert) => ({
            ...alert,
            deliveries: deliveries
              .filter((d) => d.ruleKey === alert.key)
              .map(({ channel, target, status, attempts, lastError, sentAt }) => ({ channel, target, status, attempts, lastError, sentAt })),
          }));
          return { cycle, alerts };
        });
    },
  );
};
