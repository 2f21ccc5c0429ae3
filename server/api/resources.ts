/**
 * The installation's compute resources as a site chooses among them
 * (`model.resource`, and `model.engine` "schism" where one installs it).
 * How a resource runs its jobs (commands, paths, setup lines, environment)
 * is the operators' business, so the answer holds only what the choice
 * needs.
 */
import type { FastifyPluginAsync, RawServerDefault } from 'fastify';
import { Type } from 'typebox';

import type { ComputeResource } from '../../activities/jobs/resources.js';
import type { TypeBoxProvider } from './schemas.js';

export interface ResourcesOptions {
  /** The installation's compute resources (COASTCAST_RESOURCES). */
  resources: Record<string, ComputeResource>;
}

const ResourceView = Type.Object(
  {
    name: Type.String({ description: "what a site's model.resource names" }),
    type: Type.Union([Type.Literal('local'), Type.Literal('slurm'), Type.Literal('container')], { description: "this machine's processes, a SLURM cluster, or a container engine" }),
    schism: Type.Boolean({ description: 'installs SCHISM: a site on it may set model.engine to "schism"' }),
  },
  { additionalProperties: false },
);

export const resourcesPlugin: FastifyPluginAsync<ResourcesOptions, RawServerDefault, TypeBoxProvider> = async (app, { resources }) => {
  const views = Object.entries(resources).map(([name, resource]) => ({ name, type: resource.type, schism: resource.schism !== undefined }));

  app.get(
    '/api/resources',
    {
      schema: {
        summary: "the compute resources a site's model may run on, and which of them install SCHISM",
        tags: ['service'],
        response: { 200: Type.Array(ResourceView) },
      },
    },
    async () => views,
  );
};
