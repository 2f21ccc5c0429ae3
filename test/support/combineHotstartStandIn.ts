/**
 * A stand-in for SCHISM's combine_hotstart7 (see schismStandIn.ts for why),
 * with its command line: `-i <step>` (or `--iteration <step>`), run in
 * outputs/. It joins every process's hotstart_<rank:6>_<step>.nc by the global
 * node numbers they carry into hotstart_it=<step>.nc, in combine_hotstart7's
 * own layout (schismHotstart.ts: NetCDF-4, time/iths/ifile/nsteps_from_cold on
 * `one_new`), on the mesh of ../hgrid.gr3. Missing or overlapping nodes are an
 * error, as they would be for the real tool.
 */
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';

import { loadMesh } from '../../core/mesh/gr3.js';
import { openNetcdf } from '../../core/netcdf/reader.js';
import { writeCombinedHotstart } from './schismHotstart.js';

const flag = Math.max(process.argv.indexOf('-i'), process.argv.indexOf('--iteration'));
const step = Number(process.argv[flag + 1]);
if (flag < 0 || !Number.isInteger(step)) {
  process.stderr.write('usage: combine_hotstart7 -i <step>\n');
  process.exit(2);
}
const mesh = await loadMesh(join('..', 'hgrid.gr3'));
const eta = new Float64Array(mesh.x.length).fill(Number.NaN);
const parts = (await readdir('.')).filter((name) => new RegExp(`^hotstart_\\d{6}_${step}\\.nc$`).test(name));
if (parts.length === 0) {
  process.stderr.write(`no hotstart_*_${step}.nc in ${process.cwd()}\n`);
  process.exit(1);
}
let time = Number.NaN;
for (const name of parts) {
  const file = await openNetcdf(name);
  try {
    time = Number((await file.read('time'))[0]);
    const global = await file.read('iplg');
    const values = await file.read('eta2');
    for (let i = 0; i < global.length; i++) {
      const node = Number(global[i]) - 1;
      if (!Number.isNaN(eta[node])) throw new Error(`${name}: node ${node + 1} is also in another process's file`);
      eta[node] = Number(values[i]);
    }
  } finally {
    await file.close();
  }
}
const missing = eta.findIndex((value) => Number.isNaN(value));
if (missing >= 0) {
  process.stderr.write(`node ${missing + 1} is in no hotstart_*_${step}.nc\n`);
  process.exit(1);
}
await writeCombinedHotstart(`hotstart_it=${step}.nc`, mesh, { time, step, eta, dry: Array.from(eta, (e, n) => (e + mesh.depth[n] < 0.01 ? 1 : 0)) });
process.stdout.write(`combined ${parts.length} files into hotstart_it=${step}.nc\n`);
