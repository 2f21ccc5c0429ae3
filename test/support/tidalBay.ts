/**
 * The model jobs' test run directory: 330 triangles, 100 m apart, 10 m deep,
 * an M2 tide at the west mouth; about 11 s of model per simulated day on one
 * core, so a job's length is set by its rnday.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

import { generateRectangleMesh } from '../../core/mesh/generate.js';
import { writeGr3Property, writeMesh } from '../../core/mesh/gr3.js';
import { formatBctides } from '../../core/schism/bctides.js';
import { formatParam } from '../../core/schism/param.js';

export const TIDAL_BAY_DT = 60;

export async function writeTidalBay(dir: string, rnday: number): Promise<void> {
  const mesh = generateRectangleMesh({ nx: 16, ny: 12, dx: 100, depth: () => 10, openSides: ['west'] });
  await mkdir(dir, { recursive: true });
  await writeMesh(join(dir, 'hgrid.gr3'), mesh);
  await writeGr3Property(join(dir, 'manning.gr3'), mesh, new Float64Array(mesh.x.length).fill(0.025));
  await writeFile(join(dir, 'param.nml'), formatParam({
    rnday, dt: TIDAL_BAY_DT, nspool: 60, ihfskip: 240, start: new Date('2026-11-25T00:00:00Z'), utcStart: 0, ics: 1, ihot: 0, icElev: 0, h0: 0.01,
    dramp: 0.05, nchi: -1, hminMan: 1, ncor: 0, coricoef: 0, rlatitude: 46, nws: 0, wtiminc: 300, drampwind: 1,
    nhot: 0, nhotWrite: 8640, waves: false, output: { elevation: true, depthAverageVel: true },
  }));
  const M2 = { name: 'M2', frequency: 1.405189e-4, nodalFactor: 0.97, equilibriumArgument: 45 };
  const neta = mesh.openBoundaries[0].nodes.length;
  await writeFile(join(dir, 'bctides.in'), formatBctides({
    dateLine: '2026-11-25 00:00:00 UTC', tipDp: 40, tidalPotential: [], frequencies: [M2],
    boundaries: [{ neta, iettype: 3, ifltype: 0, itetype: 0, isatype: 0, otherLines: [], tides: [{ ...M2, amplitude: new Float64Array(neta).fill(0.5), phase: new Float64Array(neta).fill(30) }] }],
  }));
}
