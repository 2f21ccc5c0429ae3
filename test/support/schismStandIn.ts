/**
 * A stand-in for SCHISM's pschism, for the tests of SCHISM as a site's model.
 * SCHISM itself cannot be installed here (no Debian or PyPI package, and its
 * source is out of reach), so this program takes its place at the file
 * interface coastcast depends on, and nothing more — it computes no physics:
 *
 * - started under mpirun in the run directory as `<this> <scribes>`; rank 0
 *   creates an empty outputs/fatal.error, as schism_init does; every MPI
 *   process checks the inputs SCHISM opens for the run's param.nml and,
 *   like SCHISM's parallel_abort, rank 0 writes `<rank:4>: ABORT: <reason>`
 *   to outputs/fatal.error and exits non-zero when one is missing;
 * - rank 0 writes `TIME STEP= n;  TIME= t` to outputs/mirror.out at every
 *   step in schism_step's format ('(a,i12,a,f20.6)'), spread over
 *   SCHISM_STAND_IN_SECONDS (default 2) of wall time;
 * - rank 0 writes outputs/out2d_<k>.nc, NetCDF-4 in the layout of SCHISM's
 *   scribe (schismOut2d.ts), every ihfskip steps: an elevation that follows
 *   the first tidal constituent of bctides.in at the first open-boundary
 *   node, uniform over the mesh, dry where it is below the bed;
 * - each rank writes outputs/hotstart_<rank:6>_<step>.nc at nhot_write (its
 *   share of the nodes, schismHotstart.ts), which combineHotstartStandIn.ts
 *   joins as combine_hotstart7 does;
 * - SCHISM_STAND_IN_ABORT_AT=<step> makes rank 0 stop there with a message
 *   in fatal.error, as SCHISM does when a run goes wrong.
 */
import { appendFile, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

import { loadMesh } from '../../core/mesh/gr3.js';
import { parseBctides } from '../../core/schism/bctides.js';
import { readParam } from '../../core/schism/param.js';
import { writeProcessHotstart } from './schismHotstart.js';
import { writeSchismOut2d } from './schismOut2d.js';

const rank = Number(process.env.OMPI_COMM_WORLD_RANK ?? process.env.PMI_RANK ?? 0);
const size = Number(process.env.OMPI_COMM_WORLD_SIZE ?? process.env.PMI_SIZE ?? 1);
const outputs = 'outputs';

async function abort(message: string): Promise<never> {
  if (rank === 0) await appendFile(join(outputs, 'fatal.error'), `${String(rank).padStart(4)}: ABORT: ${message}\n`).catch(() => undefined);
  process.stderr.write(`rank ${rank}: ${message}\n`);
  process.exit(1);
}

if (!(Number(process.argv[2]) >= 1)) await abort('the number of scribes must be given on the command line (scribed I/O)');
if (!(await stat(outputs).catch(() => undefined))?.isDirectory()) {
  process.stderr.write('outputs/ is missing\n');
  process.exit(1);
}
if (rank === 0) await writeFile(join(outputs, 'fatal.error'), '');
const param = await readParam('param.nml', { engine: 'schism' }).catch((error: Error) => abort(`param.nml: ${error.message.split('\n')[0]}`));
const required = ['hgrid.gr3', 'vgrid.in', 'bctides.in', 'manning.gr3', 'hgrid.ll'];
if (param.nws === 2) required.push('windrot_geo2proj.gr3', 'sflux/sflux_inputs.txt');
if (param.ihot > 0) required.push('hotstart.nc');
for (const file of required) if (!(await stat(file).catch(() => undefined))) await abort(`failed to open ${file}`);

const mesh = await loadMesh('hgrid.gr3', { ics: param.ics });
const tide = parseBctides(await readFile('bctides.in', 'utf8'), 'bctides.in', mesh).boundaries[0]?.tides[0];
const elevation = (t: number) => (tide ? tide.amplitude[0] * Math.cos(tide.frequency * t - (tide.phase[0] * Math.PI) / 180) : 0);

const abortAt = Number(process.env.SCHISM_STAND_IN_ABORT_AT ?? Infinity);
const stepMs = (1000 * Number(process.env.SCHISM_STAND_IN_SECONDS ?? 2)) / param.steps;
const frames: { time: number; eta: Float64Array }[] = [];
let stack = 1;
for (let step = 1; step <= param.steps; step++) {
  const time = step * param.dt;
  if (step >= abortAt) await abort(`QUICKSEARCH: dry element at step ${step}, time ${time}`);
  const eta = new Float64Array(mesh.x.length).fill(elevation(time));
  if (rank === 0) {
    await appendFile(join(outputs, 'mirror.out'), `TIME STEP= ${String(step).padStart(12)};  TIME= ${time.toFixed(6).padStart(20)}\n`);
    if (step % param.nspool === 0) frames.push({ time, eta });
    if (step % param.ihfskip === 0 || step === param.steps) {
      await writeSchismOut2d(join(outputs, `out2d_${stack++}.nc`), {
        mesh,
        startDay: param.start.toISOString().slice(0, 10),
        startHour: param.start.getUTCHours(),
        lonLat: param.ics === 2,
        times: frames.map((f) => f.time),
        fields: {
          dryFlagNode: { frames: frames.map((f) => Array.from(f.eta, (e, n) => (e + mesh.depth[n] < param.h0 ? 1 : 0))) },
          elevation: { frames: frames.map((f) => f.eta) },
          depthAverageVelX: { frames: frames.map(() => new Float64Array(mesh.x.length)) },
          depthAverageVelY: { frames: frames.map(() => new Float64Array(mesh.x.length)) },
        },
      });
      frames.length = 0;
    }
  }
  if (param.nhot === 1 && step % param.nhotWrite === 0) await writeRankHotstart(step, time, eta);
  await new Promise((resolve) => setTimeout(resolve, stepMs));
}
if (rank === 0) await appendFile(join(outputs, 'mirror.out'), 'Run completed successfully\n');

/** This rank's share of the nodes, in the file SCHISM writes per process. */
async function writeRankHotstart(step: number, time: number, eta: Float64Array): Promise<void> {
  const first = Math.floor((rank * mesh.x.length) / size);
  const last = Math.floor(((rank + 1) * mesh.x.length) / size);
  const nodes = Array.from({ length: last - first }, (_, i) => first + i);
  await writeProcessHotstart(join(outputs, `hotstart_${String(rank).padStart(6, '0')}_${step}.nc`), { time, step, nodes, eta });
}
