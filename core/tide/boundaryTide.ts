/**
 * A run's tide at its open boundaries as SCHISM's bctides.in (iettype 3 on
 * every open boundary): the frequency, nodal factor f and equilibrium
 * argument V0+u of each constituent for the run, and an amplitude and
 * Greenwich phase per boundary node, from a site's harmonic constants or its
 * tidal atlas.
 *
 * Time reference (SCHISM's tide_fac convention, core/tide/predict.ts
 * nodalFactors): V0 is taken at the run's start, the instant model time 0
 * refers to, and u and f at the middle of the run, so that the boundary
 * elevation f·A·cos(ω·t + (V0+u) − φ), t in seconds from the start, is what
 * predictTide gives for the same constants over the run.
 *
 * The mean level z0 reaches the model as SCHISM users give it: a constituent
 * Z0 of frequency 0 with f = 1 and V0+u = 0, whose amplitude is |z0| and
 * whose phase is 0 (z0 > 0) or 180° (z0 < 0: bctides.in amplitudes are not
 * negative). It is left out when z0 is 0 or not given. Like every boundary
 * term it is ramped from 0 by dramp.
 *
 * No tidal potential is written (ntip = 0): the built-in model does not apply
 * it (core/schism/bctides.ts checkBuiltInSupport), and over a coastal domain
 * its effect is small next to the boundary forcing.
 */
import type { Bctides, BoundaryFrequency, BoundaryTide } from '../schism/bctides.js';
import type { Mesh } from '../mesh/mesh.js';
import type { SiteTide } from '../site.js';
import { normalizeDegrees } from './astronomy.js';
import { readAtlas, type AtlasPoint } from './atlas.js';
import { findConstituent } from './constituents.js';
import { nodalFactors } from './predict.js';

/** One constituent along one open boundary: amplitude (m) and Greenwich phase lag (degrees) per node, in hgrid.gr3's order. */
export interface NodeConstants {
  /** Canonical constituent name (core/tide/constituents.ts). */
  name: string;
  amplitude: Float64Array;
  phase: Float64Array;
}

/** The tidal constants of every open boundary, the same constituents in the same order on each. */
export interface BoundaryConstants {
  /** Mean level above the model datum, metres. */
  z0: number;
  /** One entry per open boundary, in hgrid.gr3's order; each lists the constituents. */
  boundaries: NodeConstants[][];
}

/** The name SCHISM users give the mean-level term in bctides.in. */
export const MEAN_LEVEL_NAME = 'Z0';

/**
 * The constants of a harmonic tide config at the mesh's open boundaries:
 * `uniform` repeats the constants at every node, `perNode` gives them node by
 * node. Constituents are ordered as open boundary 1 lists them.
 */
export function harmonicBoundaryConstants(tide: Extract<SiteTide, { type: 'harmonic' }>, mesh: Pick<Mesh, 'openBoundaries'>): BoundaryConstants {
  const open = mesh.openBoundaries;
  if (tide.boundaries.length !== open.length) {
    throw new Error(`/tide/boundaries: ${tide.boundaries.length} entries, but the mesh has ${open.length} open boundaries`);
  }
  const order = tide.boundaries[0].constituents.map((c) => canonicalName(c.name, '/tide/boundaries/0/constituents'));
  const boundaries = tide.boundaries.map((boundary, b) => {
    const neta = open[b].nodes.length;
    const at = `/tide/boundaries/${b}/constituents`;
    const byName = new Map<string, NodeConstants>();
    boundary.constituents.forEach((c, k) => {
      const name = canonicalName(c.name, `${at}/${k}/name`);
      if (boundary.type === 'uniform') {
        const u = c as { amplitude: number; phase: number };
        byName.set(name, { name, amplitude: new Float64Array(neta).fill(u.amplitude), phase: new Float64Array(neta).fill(u.phase) });
        return;
      }
      const p = c as { amplitude: number[]; phase: number[] };
      for (const field of ['amplitude', 'phase'] as const) {
        if (p[field].length !== neta) throw new Error(`${at}/${k}/${field}: ${p[field].length} values, but open boundary ${b + 1} has ${neta} nodes`);
      }
      byName.set(name, { name, amplitude: Float64Array.from(p.amplitude), phase: Float64Array.from(p.phase) });
    });
    return order.map((name) => {
      const constants = byName.get(name);
      if (!constants) throw new Error(`${at}: ${name} is missing (open boundary 1 has it; every boundary must use the same constituents)`);
      return constants;
    });
  });
  for (const [b, boundary] of tide.boundaries.entries()) {
    if (boundary.constituents.length !== order.length) {
      throw new Error(`/tide/boundaries/${b}/constituents: ${boundary.constituents.length} constituents, open boundary 1 has ${order.length} (every boundary must use the same)`);
    }
  }
  return { z0: tide.z0 ?? 0, boundaries };
}

/** Degrees east and north of every mesh node (the mesh's own x, y when ics = 2). */
export interface NodeLonLat {
  lon: ArrayLike<number>;
  lat: ArrayLike<number>;
}

/**
 * The constants of an atlas tide config at the mesh's open boundaries,
 * interpolated from the atlas in `dir` (core/tide/atlas.ts), constituents in
 * the config's order.
 */
export async function atlasBoundaryConstants(
  tide: Extract<SiteTide, { type: 'atlas' }>,
  dir: string,
  mesh: Pick<Mesh, 'openBoundaries'>,
  nodes: NodeLonLat,
): Promise<BoundaryConstants> {
  const names = tide.constituents.map((name, k) => canonicalName(name, `/tide/constituents/${k}`));
  const points: AtlasPoint[] = mesh.openBoundaries.flatMap((boundary, b) =>
    Array.from(boundary.nodes, (node, j) => ({ lon: nodes.lon[node], lat: nodes.lat[node], label: `open boundary ${b + 1} node ${j + 1} (mesh node ${node + 1})` })),
  );
  const atlas = await readAtlas(dir, tide.constituents, points);
  let offset = 0;
  const boundaries = mesh.openBoundaries.map((boundary) => {
    const neta = boundary.nodes.length;
    const slice = atlas.map((c, k) => ({ name: names[k], amplitude: c.amplitude.slice(offset, offset + neta), phase: c.phase.slice(offset, offset + neta) }));
    offset += neta;
    return slice;
  });
  return { z0: tide.z0 ?? 0, boundaries };
}

/** The run: model time 0 and the end of the run. */
export interface RunSpan {
  start: Date;
  end: Date;
}

/** bctides.in for the constants over the run (see the module comment for the time reference, z0 and ntip). */
export function boundaryBctides(constants: BoundaryConstants, run: RunSpan): Bctides {
  const { boundaries, z0 } = constants;
  if (boundaries.length === 0) throw new Error('bctides.in: the mesh has no open boundary to force');
  if (!(run.end.getTime() > run.start.getTime())) throw new Error(`bctides.in: the run must end after it starts (${run.start.toISOString()} to ${run.end.toISOString()})`);
  const names = boundaries[0].map((c) => c.name);
  const frequencies: BoundaryFrequency[] = nodalFactors(names, run.start, run.end).map((c) => ({
    name: c.name,
    frequency: c.speed,
    nodalFactor: c.f,
    equilibriumArgument: c.vPlusU,
  }));
  const meanLevel = z0 !== 0;
  if (meanLevel) frequencies.push({ name: MEAN_LEVEL_NAME, frequency: 0, nodalFactor: 1, equilibriumArgument: 0 });
  return {
    dateLine: `${run.start.toISOString()} run start (UTC): model time 0, the instant V0+u refers to`,
    tipDp: 0,
    tidalPotential: [],
    frequencies,
    boundaries: boundaries.map((boundary, b) => {
      const neta = boundary[0]?.amplitude.length ?? 0;
      const tides: BoundaryTide[] = boundary.map((c, i) => {
        if (c.name !== names[i]) throw new Error(`bctides.in: open boundary ${b + 1} lists ${c.name} where open boundary 1 has ${names[i]}`);
        if (c.amplitude.length !== neta || c.phase.length !== neta) throw new Error(`bctides.in: open boundary ${b + 1}, ${c.name}: ${c.amplitude.length} amplitudes and ${c.phase.length} phases for ${neta} nodes`);
        return { ...frequencies[i], amplitude: c.amplitude, phase: c.phase.map(normalizeDegrees) };
      });
      if (meanLevel) {
        tides.push({
          ...frequencies[frequencies.length - 1],
          amplitude: new Float64Array(neta).fill(Math.abs(z0)),
          phase: new Float64Array(neta).fill(z0 < 0 ? 180 : 0),
        });
      }
      return { neta, iettype: 3, ifltype: 0, itetype: 0, isatype: 0, tides, otherLines: [] };
    }),
  };
}

function canonicalName(name: string, path: string): string {
  const constituent = findConstituent(name);
  if (!constituent) throw new Error(`${path}: unknown constituent "${name}"`);
  return constituent.name;
}
