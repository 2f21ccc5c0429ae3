/**
 * Atmosphere for the run: wind at 10 m and sea-level pressure from a forcing
 * file into sflux/sflux_air_1.0001.nc (core/schism/sflux.ts), the records
 * that cover the run, rows south to north and longitudes in the mesh's
 * convention.
 */
import { join } from 'node:path';

import { SfluxAirWriter, sfluxAirFileName, writeSfluxInputs } from '../../core/schism/sflux.js';
import type { NodeLonLat } from '../../core/tide/boundaryTide.js';
import type { RunForcing } from '../prepareRun.js';
import { gridValues, openForcingFields } from './runFields.js';

const ATMOSPHERE_FIELDS = ['uwind', 'vwind', 'prmsl'] as const;
type AtmosphereField = (typeof ATMOSPHERE_FIELDS)[number];

export async function writeSflux(forcing: RunForcing, dir: string, nodes: NodeLonLat, start: Date, end: Date, fail: (message: string) => Error): Promise<void> {
  const { nc, names, grid, times, first, last, shift, toOurs } = await openForcingFields(forcing, ATMOSPHERE_FIELDS, nodes, start, end, fail);
  try {
    const writer = await SfluxAirWriter.create(join(dir, sfluxAirFileName(1)), { nx: grid.nx, ny: grid.ny, lon: grid.lon.map((x) => x + shift), lat: grid.lat }, times[first]);
    try {
      for (let k = first; k <= last; k++) {
        const fields = {} as Record<AtmosphereField, Float32Array>;
        for (const f of ATMOSPHERE_FIELDS) fields[f] = gridValues(nc, names[f], await nc.readRecord(names[f], k), grid, toOurs[f], times[k], fail);
        await writer.appendRecord(times[k], fields);
      }
      await writer.close();
    } catch (error) {
      await writer.abort();
      throw error;
    }
    await writeSfluxInputs(dir);
  } finally {
    await nc.close();
  }
}
