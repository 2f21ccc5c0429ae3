import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { generateRectangleMesh } from '../../core/mesh/generate.js';
import { writeMesh } from '../../core/mesh/gr3.js';
import type { SiteInput } from '../../core/site.js';

/**
 * Writes the meshes the site suites upload into `dir`: `small.gr3` (4 × 4
 * nodes, 0.05° apart, the west side the one open boundary), `large.gr3`
 * (6 × 5 nodes) and `broken.gr3` (small.gr3 whose line 19, the first
 * element, names a node that does not exist).
 */
export async function writeSiteMeshes(dir: string): Promise<void> {
  await writeMesh(join(dir, 'small.gr3'), generateRectangleMesh({ nx: 4, ny: 4, dx: 0.05, origin: { x: -8.8, y: 40.55 }, openSides: ['west'] }));
  await writeMesh(join(dir, 'large.gr3'), generateRectangleMesh({ nx: 6, ny: 5, dx: 0.03, origin: { x: -8.8, y: 40.55 }, openSides: ['west'] }));
  const lines = (await readFile(join(dir, 'small.gr3'), 'utf8')).split('\n');
  lines[18] = '1 3 1 2 99';
  await writeFile(join(dir, 'broken.gr3'), lines.join('\n'));
}

/** A valid site config that fits the meshes of writeSiteMeshes. */
export function exampleSite(id = 'ria-aveiro'): SiteInput {
  return {
    id,
    name: 'Ria de Aveiro',
    coordinates: { ics: 2 },
    tide: { type: 'harmonic', boundaries: [{ type: 'uniform', constituents: [{ name: 'M2', amplitude: 1.2, phase: 80 }] }] },
    forcings: { atmosphere: { type: 'file', path: '/srv/gfs.nc', deadlineHours: 6 } },
    stations: [{ id: 'barra', name: 'Barra', lon: -8.75, lat: 40.64 }],
    thresholds: { stationLevel: [{ stationId: 'barra', level: 2, name: 'flood' }] },
    model: { dt: 60, nspool: 15 },
    schedule: { enabled: true, hourUtc: 4 },
  };
}
