/**
 * SCHISM's hot starts as SCHISM's own programs write them, NetCDF-4 made by
 * the reference `ncgen` from CDL (schismStandIn.ts and
 * combineHotstartStandIn.ts use them, and so do the tests of our reader).
 *
 * - Per process (schism_step.F90, `outputs/hotstart_<rank:6>_<it>.nc`):
 *   dimensions nResident_node / _elem / _side first (combine_hotstart7 relies
 *   on their being dimensions 1–3), then nVert, ntracers, one, three, two,
 *   four … nine; `time`, `it`, `ifile`, `nsteps_from_cold` on `one`. SCHISM
 *   maps resident nodes, elements and sides to global ones in
 *   `outputs/local_to_global_<rank:6>`. The stand-in shares out nodes only,
 *   keeps their map in the file as `iplg`, and writes only what it computes
 *   (elevation): a file only combineHotstartStandIn.ts reads.
 * - Joined (combine_hotstart7.f90, `hotstart_it=<it>.nc`): dimensions node,
 *   elem, side, then the per-process ones from nVert on, then `one_new`; every
 *   array whose last (Fortran) dimension is node/elem/side in the per-process
 *   order (ints stay int, the rest double), then time (double), iths, ifile and
 *   nsteps_from_cold (int) on `one_new`.
 */
import { execFileSync } from 'node:child_process';
import { writeFile } from 'node:fs/promises';

import { dryFlags, meshSides, HOTSTART_LEVELS, HOTSTART_TRACERS, type SideMesh } from '../../core/schism/hotstart.js';

/** The per-process dimensions after the three resident counts, as schism_step.F90 defines them. */
const PROCESS_DIMENSIONS = [
  ['nVert', HOTSTART_LEVELS],
  ['ntracers', HOTSTART_TRACERS],
  ['one', 1],
  ['three', 3],
  ['two', 2],
  ['four', 4],
  ['five', 5],
  ['six', 6],
  ['seven', 7],
  ['eight', 8],
  ['nine', 9],
] as const;

const list = (values: ArrayLike<number>) => Array.from(values).join(', ');
const zeros = (n: number) => new Array(n).fill(0).join(', ');

async function ncgen(path: string, cdl: string): Promise<void> {
  await writeFile(`${path}.cdl`, cdl);
  execFileSync('ncgen', ['-k', 'nc4', '-o', path, `${path}.cdl`]);
}

/** One process's hot start: its share of the nodes (0-based, global) with their elevation. */
export async function writeProcessHotstart(path: string, state: { time: number; step: number; nodes: number[]; eta: ArrayLike<number> }): Promise<void> {
  const dimensions = [['nResident_node', state.nodes.length], ...PROCESS_DIMENSIONS];
  await ncgen(path, `netcdf hotstart {
dimensions:
${dimensions.map(([name, size]) => `  ${name} = ${size} ;`).join('\n')}
variables:
  double time(one) ;
  int it(one) ;
  int ifile(one) ;
  int nsteps_from_cold(one) ;
  double eta2(nResident_node) ;
  int iplg(nResident_node) ;
data:
  time = ${state.time} ;
  it = ${state.step} ;
  ifile = 1 ;
  nsteps_from_cold = ${state.step} ;
  eta2 = ${state.nodes.map((n) => state.eta[n]).join(', ')} ;
  iplg = ${state.nodes.map((n) => n + 1).join(', ')} ;
}
`);
}

export interface CombinedHotstart {
  time: number;
  step: number;
  eta: ArrayLike<number>;
  /** 1 dry, 0 wet, per node. */
  dry: ArrayLike<number>;
  /** Velocity per side and level (side-major, HOTSTART_LEVELS per side); zero when absent. */
  su2?: ArrayLike<number>;
  sv2?: ArrayLike<number>;
  ifile?: number;
}

/** The hot start combine_hotstart7 leaves, for `mesh`. */
export async function writeCombinedHotstart(path: string, mesh: SideMesh, state: CombinedHotstart): Promise<void> {
  const sides = meshSides(mesh);
  const [np, ne, ns] = [mesh.x.length, mesh.triangles.length / 3, sides.count];
  const idry = Int32Array.from(state.dry);
  const { idryE, idryS } = dryFlags(mesh.triangles, sides, idry);
  const levels = HOTSTART_LEVELS;
  const tracers = HOTSTART_TRACERS;
  // Per-process order (schism_step.F90), the ones on `one` left for the end.
  const arrays: [string, string, string, string][] = [
    ['int', 'idry_e', 'elem', list(idryE)],
    ['int', 'idry_s', 'side', list(idryS)],
    ['int', 'idry', 'node', list(idry)],
    ['double', 'eta2', 'node', list(state.eta)],
    ['double', 'cumsum_eta', 'node', zeros(np)],
    ['double', 'we', 'elem, nVert', zeros(ne * levels)],
    ['double', 'tr_el', 'elem, nVert, ntracers', zeros(ne * levels * tracers)],
    ['double', 'su2', 'side, nVert', state.su2 ? list(state.su2) : zeros(ns * levels)],
    ['double', 'sv2', 'side, nVert', state.sv2 ? list(state.sv2) : zeros(ns * levels)],
    ['double', 'tr_nd', 'node, nVert, ntracers', zeros(np * levels * tracers)],
    ['double', 'tr_nd0', 'node, nVert, ntracers', zeros(np * levels * tracers)],
    ...['q2', 'xl', 'dfv', 'dfh', 'dfq1', 'dfq2'].map((name): [string, string, string, string] => ['double', name, 'node, nVert', zeros(np * levels)]),
  ];
  const dimensions = [['node', np], ['elem', ne], ['side', ns], ...PROCESS_DIMENSIONS, ['one_new', 1]];
  await ncgen(path, `netcdf hotstart_combined {
dimensions:
${dimensions.map(([name, size]) => `  ${name} = ${size} ;`).join('\n')}
variables:
${arrays.map(([type, name, dims]) => `  ${type} ${name}(${dims}) ;`).join('\n')}
  double time(one_new) ;
  int iths(one_new) ;
  int ifile(one_new) ;
  int nsteps_from_cold(one_new) ;
data:
${arrays.map(([, name, , values]) => `  ${name} = ${values} ;`).join('\n')}
  time = ${state.time} ;
  iths = ${state.step} ;
  ifile = ${state.ifile ?? 1} ;
  nsteps_from_cold = ${state.step} ;
}
`);
}
