/**
 * A 72-hour forecast cycle of the built-in model on a realistic estuary run
 * directory, through the real runModel: a ~20 k-triangle lagoon behind a
 * barrier with a narrow inlet, a meandering channel and intertidal flats,
 * depth from −2 m (land) to 20 m, 160 m elements, an M2+S2+K1+O1 tide at the
 * open (west) boundary, Manning 0.025, output every 30 min. Local time
 * stepping (the default) with 1 and 2 threads, then global stepping with 2
 * threads as the baseline, and the largest difference of their last
 * elevation frames over wet nodes. Prints figures only. `--hours N` runs a
 * shorter cycle.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { generateRectangleMesh } from '../core/mesh/generate.js';
import { writeGr3Property, writeMesh } from '../core/mesh/gr3.js';
import { formatBctides } from '../core/schism/bctides.js';
import { formatParam } from '../core/schism/param.js';
import { openOut2d } from '../core/out2d.js';
import { buildDual } from '../model/dual.js';
import type { RunSummary, TimeStepping } from '../core/modelProtocol.js';
import { runModel } from '../model/run.js';
import { DEFAULT_CFL } from '../model/stepper.js';

const hoursArg = process.argv.indexOf('--hours');
const hours = hoursArg > 0 ? Number(process.argv[hoursArg + 1]) : 72;
const dt = 300;
const cell = 160;
const [nx, ny] = [126, 81];
const width = (ny - 1) * cell;
const middle = width / 2;

/** Sea to x = 4 km, a barrier with a 600 m inlet to 5 km, then the lagoon: a channel meandering through flats that rise to land at its sides. */
function depth(x: number, y: number): number {
  if (x < 4000) return 20 - (10 * x) / 4000;
  if (x < 5000) return Math.abs(y - middle) < 300 ? 12 : -2;
  const along = (x - 5000) / 15_000;
  const off = Math.abs(y - (middle + 1500 * Math.sin((x - 5000) / 3000)));
  if (off < 200) return 8 - 5 * along;
  return Math.max(-2, 1 - (3 * (off - 200)) / 2500);
}

const mesh = generateRectangleMesh({ nx, ny, dx: cell, depth, openSides: ['west'], diagonals: 'alternating', jitter: 0.3, title: 'estuary bench' });
const triangles = mesh.triangles.length / 3;
const dir = await mkdtemp(join(tmpdir(), 'coastcast-estuary-'));
try {
  await writeMesh(join(dir, 'hgrid.gr3'), mesh);
  await writeGr3Property(join(dir, 'manning.gr3'), mesh, new Float64Array(mesh.x.length).fill(0.025));
  await writeFile(join(dir, 'param.nml'), formatParam({
    rnday: hours / 24, dt, nspool: 1800 / dt, ihfskip: 86_400 / dt, start: new Date('2026-11-25T00:00:00Z'), utcStart: 0,
    ics: 1, ihot: 0, icElev: 0, h0: 0.01, dramp: 0.5, nchi: -1, hminMan: 1, ncor: -1, coricoef: 0, rlatitude: 40.6,
    nws: 0, wtiminc: dt, drampwind: 1, nhot: 0, nhotWrite: 86_400 / dt, waves: false, output: { elevation: true, depthAverageVel: true },
  }));
  const constituents = [
    { name: 'M2', frequency: 1.405189e-4, nodalFactor: 1.02, equilibriumArgument: 312.4, amplitude: 1.0, phase: 75 },
    { name: 'S2', frequency: 1.454441e-4, nodalFactor: 1, equilibriumArgument: 0, amplitude: 0.35, phase: 102 },
    { name: 'K1', frequency: 7.292117e-5, nodalFactor: 0.95, equilibriumArgument: 190.1, amplitude: 0.08, phase: 60 },
    { name: 'O1', frequency: 6.759774e-5, nodalFactor: 0.9, equilibriumArgument: 122.7, amplitude: 0.06, phase: 310 },
  ];
  const neta = mesh.openBoundaries[0].nodes.length;
  await writeFile(join(dir, 'bctides.in'), formatBctides({
    dateLine: '2026-11-25 00:00:00 UTC',
    tipDp: 40,
    tidalPotential: [],
    frequencies: constituents.map(({ name, frequency, nodalFactor, equilibriumArgument }) => ({ name, frequency, nodalFactor, equilibriumArgument })),
    boundaries: [{
      neta, iettype: 3, ifltype: 0, itetype: 0, isatype: 0, otherLines: [],
      tides: constituents.map((c) => ({ ...c, amplitude: new Float64Array(neta).fill(c.amplitude), phase: new Float64Array(neta).fill(c.phase) })),
    }],
  }));

  // What bounds the sub-step: at rest, a node's stable step is 2·CFL·area / (√(g·h)·Σ face lengths) on its dual cell.
  const dual = buildDual(mesh.x, mesh.y, mesh.triangles, mesh.openBoundaries);
  const faces = new Float64Array(mesh.x.length);
  for (let e = 0; e < dual.edgeCount; e++) {
    faces[dual.edgeNodes[2 * e]] += dual.edgeLength[e];
    faces[dual.edgeNodes[2 * e + 1]] += dual.edgeLength[e];
  }
  for (let f = 0; f < dual.faceCount; f++) faces[dual.faceNode[f]] += dual.faceLength[f];
  let tightest = { step: Infinity, node: -1 };
  for (let i = 0; i < mesh.x.length; i++) {
    if (mesh.depth[i] <= 0) continue;
    const step = (2 * DEFAULT_CFL * dual.area[i]) / (Math.sqrt(9.81 * mesh.depth[i]) * faces[i]);
    if (step < tightest.step) tightest = { step, node: i };
  }
  const n = tightest.node;
  const onBoundary = dual.nodeFaceStart[n + 1] > dual.nodeFaceStart[n];
  console.log(JSON.stringify({
    run: 'estuary', nodes: mesh.x.length, triangles, cell_m: cell, depth_m: [Math.min(...mesh.depth), Math.max(...mesh.depth)], hours, dt, outputs_every_s: 1800,
    tightest_rest_substep: { s: Number(tightest.step.toFixed(2)), x: Math.round(mesh.x[n]), y: Math.round(mesh.y[n]), depth: mesh.depth[n], boundary_node: onBoundary },
  }));

  const lastFrames = new Map<TimeStepping, Float32Array>();
  const walls = new Map<string, number>();
  for (const [timeStepping, threads] of [['local', 1], ['local', 2], ['global', 2]] as const) {
    await rm(join(dir, 'outputs'), { recursive: true, force: true });
    await mkdir(join(dir, 'outputs'));
    const summary: RunSummary = await runModel(dir, { threads, timeStepping });
    const simulated = hours * 3600;
    walls.set(`${timeStepping}/${threads}`, summary.wall_s);
    const out2d = await openOut2d(join(dir, 'outputs', `out2d_${Math.ceil(hours / 24)}.nc`));
    lastFrames.set(timeStepping, await out2d.readFrame('elevation', out2d.seconds.length - 1));
    await out2d.close();
    console.log(JSON.stringify({
      time_stepping: timeStepping,
      threads,
      wall_s: summary.wall_s,
      simulated_hours_per_wall_s: Number((hours / summary.wall_s).toFixed(3)),
      triangle_steps_per_s: summary.triangle_steps_per_s,
      finest_substeps_per_base_step: Number((summary.substeps / summary.steps).toFixed(1)),
      mean_finest_substep_s: Number((simulated / summary.substeps).toFixed(2)),
      rejected: summary.rejected,
      timing_s: summary.timing_s,
      max_elevation_m: Number(summary.max_elevation_m.toFixed(3)),
      volume_change_relative: Number(summary.volume_change_relative.toExponential(3)),
    }));
  }
  const local = lastFrames.get('local')!;
  const global = lastFrames.get('global')!;
  let difference = 0;
  for (let i = 0; i < local.length; i++) if (mesh.depth[i] > 0) difference = Math.max(difference, Math.abs(local[i] - global[i]));
  console.log(JSON.stringify({
    global_over_local_wall_2_threads: Number((walls.get('global/2')! / walls.get('local/2')!).toFixed(2)),
    max_wet_elevation_difference_local_global_m: Number(difference.toExponential(3)),
  }));
} finally {
  await rm(dir, { recursive: true, force: true });
}
