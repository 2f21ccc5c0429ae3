import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openOut2d, Out2dWriter, timeUnits, type OutputMesh } from '../core/out2d.js';
import { writeSchismOut2d, type SchismOut2d } from './support/schismOut2d.js';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'coastcast-out2d-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Two triangles over a unit square, lon/lat around Aveiro. */
const square: OutputMesh = {
  x: Float64Array.from([-8.75, -8.74, -8.74, -8.75]),
  y: Float64Array.from([40.6, 40.6, 40.61, 40.61]),
  depth: Float64Array.from([5, 4.5, -1.25, 2]),
  triangles: Int32Array.from([0, 1, 2, 0, 2, 3]),
};
const start = new Date('2026-11-25T00:00:00Z');

async function writeSquare(path: string): Promise<void> {
  const writer = await Out2dWriter.create(path, square, { start, coordinates: 'lonlat', fields: ['elevation', 'depthAverageVelX', 'depthAverageVelY', 'dryFlagNode'] });
  for (let frame = 0; frame < 3; frame++) {
    await writer.appendFrame(frame * 3600, {
      elevation: [0.5 + frame, 0.25, -1.25, 0.125 * frame],
      depthAverageVelX: [0.1, 0.2, 0, -0.1 * frame],
      depthAverageVelY: [0, 0, 0, 0.5],
      dryFlagNode: [0, 0, 1, 0],
    });
  }
  await writer.close();
}

function ncdump(...args: string[]): string {
  return execFileSync('ncdump', args, { encoding: 'utf8' });
}

describe('out2d files we write', () => {
  let path: string;
  beforeAll(async () => {
    path = join(dir, 'out2d_1.nc');
    await writeSquare(path);
  });

  it('follow SCHISM names and UGRID-1.0, as ncdump reads them', () => {
    expect(ncdump('-k', path).trim()).toBe('64-bit offset');
    const header = ncdump('-h', path);
    expect(header).toContain('time = UNLIMITED ; // (3 currently)');
    expect(header).toContain('nSCHISM_hgrid_node = 4 ;');
    expect(header).toContain('nSCHISM_hgrid_face = 2 ;');
    expect(header).toContain('nMaxSCHISM_hgrid_face_nodes = 4 ;');
    expect(header).toContain('SCHISM_hgrid:cf_role = "mesh_topology" ;');
    expect(header).toContain('SCHISM_hgrid:topology_dimension = 2 ;');
    expect(header).toContain('SCHISM_hgrid:node_coordinates = "SCHISM_hgrid_node_x SCHISM_hgrid_node_y" ;');
    expect(header).toContain('SCHISM_hgrid:face_node_connectivity = "SCHISM_hgrid_face_nodes" ;');
    expect(header).toContain('int SCHISM_hgrid_face_nodes(nSCHISM_hgrid_face, nMaxSCHISM_hgrid_face_nodes) ;');
    expect(header).toContain('SCHISM_hgrid_face_nodes:start_index = 1 ;');
    expect(header).toContain('SCHISM_hgrid_face_nodes:_FillValue = -1 ;');
    expect(header).toContain('time:units = "seconds since 2026-11-25 00:00:00 +00:00" ;');
    expect(header).toContain('time:standard_name = "time" ;');
    expect(header).toContain('float elevation(time, nSCHISM_hgrid_node) ;');
    expect(header).toContain('elevation:standard_name = "sea_surface_height_above_geoid" ;');
    expect(header).toContain('SCHISM_hgrid_node_x:units = "degrees_east" ;');
    expect(header).toContain('depth:positive = "down" ;');
    expect(header).toContain(':Conventions = "CF-1.7, UGRID-1.0" ;');
  });

  it('hold 1-based connectivity with fill -1 and every frame, as ncdump reads them', () => {
    const data = ncdump('-v', 'SCHISM_hgrid_face_nodes,time,elevation', path);
    expect(data.replace(/\s+/g, ' ')).toContain('SCHISM_hgrid_face_nodes = 1, 2, 3, _, 1, 3, 4, _ ;');
    expect(data.replace(/\s+/g, ' ')).toContain('time = 0, 3600, 7200 ;');
    expect(data.replace(/\s+/g, ' ')).toContain('elevation = 0.5, 0.25, -1.25, 0, 1.5, 0.25, -1.25, 0.125, 2.5, 0.25, -1.25, 0.25 ;');
  });

  it('read back through openOut2d: mesh, times and frames', async () => {
    const out = await openOut2d(path);
    try {
      expect(out.coordinates).toBe('lonlat');
      expect(out.mesh.x).toEqual(square.x);
      expect(out.mesh.y).toEqual(square.y);
      expect(Array.from(out.mesh.depth)).toEqual([5, 4.5, -1.25, 2]);
      expect(out.mesh.triangles).toEqual(square.triangles);
      expect(out.start.toISOString()).toBe(start.toISOString());
      expect(Array.from(out.seconds)).toEqual([0, 3600, 7200]);
      expect(out.times.map((t) => t.toISOString())).toEqual(['2026-11-25T00:00:00.000Z', '2026-11-25T01:00:00.000Z', '2026-11-25T02:00:00.000Z']);
      expect(out.fields).toEqual(['elevation', 'depthAverageVelX', 'depthAverageVelY', 'dryFlagNode']);
      expect(Array.from(await out.readFrame('elevation', 2))).toEqual([2.5, 0.25, -1.25, 0.25]);
      expect(Array.from(await out.readFrame('dryFlagNode', 1))).toEqual([0, 0, 1, 0]);
      await expect(out.readFrame('elevation', 3)).rejects.toThrow('frame 3 out of range 0..2');
      await expect(out.readFrame('sigWaveHeight', 0)).rejects.toThrow('field sigWaveHeight not in this file');
    } finally {
      await out.close();
    }
  });
});

describe('writing out2d rejects bad frames and leaves no file behind', () => {
  it('names the missing field, and the short one', async () => {
    const path = join(dir, 'bad.nc');
    const writer = await Out2dWriter.create(path, square, { start, coordinates: 'metres', fields: ['elevation', 'depthAverageVelX'] });
    await expect(writer.appendFrame(0, { elevation: [0, 0, 0, 0] })).rejects.toThrow('frame at 0 s: field depthAverageVelX missing');
    await expect(writer.appendFrame(0, { elevation: [0, 0, 0], depthAverageVelX: [0, 0, 0, 0] })).rejects.toThrow(
      'frame at 0 s: field elevation has 3 values for 4 nodes',
    );
    await expect(writer.appendFrame(0, { elevation: [0, 0, 0, 0], depthAverageVelX: [0, 0, 0, 0], sigWaveHeight: [1, 1, 1, 1] })).rejects.toThrow(
      'field(s) sigWaveHeight not declared',
    );
    await writer.abort();
    expect(existsSync(path)).toBe(false);
  });
});

describe("SCHISM's own NetCDF-4 out2d layout", () => {
  it('reads through the same API, quads split into triangles', async () => {
    // A file in the layout SCHISM writes (NetCDF-4, one quad and one triangle, its loose time-units spacing), made by the real ncgen.
    const cdl = `netcdf out2d_1 {
dimensions:
  nSCHISM_hgrid_node = 5 ;
  nSCHISM_hgrid_face = 2 ;
  nMaxSCHISM_hgrid_face_nodes = 4 ;
  time = UNLIMITED ;
variables:
  double time(time) ;
    time:long_name = "Time" ;
    time:units = "seconds since 2026-11-24  0:00:00   0:00" ;
    time:standard_name = "time" ;
  int SCHISM_hgrid ;
    SCHISM_hgrid:cf_role = "mesh_topology" ;
    SCHISM_hgrid:topology_dimension = 2 ;
  double SCHISM_hgrid_node_x(nSCHISM_hgrid_node) ;
    SCHISM_hgrid_node_x:units = "m" ;
  double SCHISM_hgrid_node_y(nSCHISM_hgrid_node) ;
    SCHISM_hgrid_node_y:units = "m" ;
  int SCHISM_hgrid_face_nodes(nSCHISM_hgrid_face, nMaxSCHISM_hgrid_face_nodes) ;
    SCHISM_hgrid_face_nodes:_FillValue = -1 ;
    SCHISM_hgrid_face_nodes:start_index = 1 ;
  float depth(nSCHISM_hgrid_node) ;
  float elevation(time, nSCHISM_hgrid_node) ;
  float sigWaveHeight(time, nSCHISM_hgrid_node) ;
data:
  time = 1800, 3600 ;
  SCHISM_hgrid = 0 ;
  SCHISM_hgrid_node_x = 0, 100, 100, 0, 200 ;
  SCHISM_hgrid_node_y = 0, 0, 100, 100, 50 ;
  SCHISM_hgrid_face_nodes = 1, 2, 3, 4, 2, 5, 3, _ ;
  depth = 10, 8, 6, 4, 2 ;
  elevation = 0.1, 0.2, 0.3, 0.4, 0.5, -0.1, -0.2, -0.3, -0.4, -0.5 ;
  sigWaveHeight = 1, 1, 1, 1, 2, 1.5, 1.5, 1.5, 1.5, 2.5 ;
}
`;
    const cdlPath = join(dir, 'schism.cdl');
    const path = join(dir, 'schism_out2d_1.nc');
    writeFileSync(cdlPath, cdl);
    execFileSync('ncgen', ['-k', 'nc4', '-o', path, cdlPath]);
    const out = await openOut2d(path);
    try {
      expect(out.coordinates).toBe('metres');
      expect(Array.from(out.mesh.triangles)).toEqual([0, 1, 2, 0, 2, 3, 1, 4, 2]);
      expect(out.start.toISOString()).toBe('2026-11-24T00:00:00.000Z');
      expect(Array.from(out.seconds)).toEqual([1800, 3600]);
      expect(out.fields).toEqual(['elevation', 'sigWaveHeight']);
      expect(Array.from(await out.readFrame('elevation', 1))).toEqual(Array.from(Float32Array.from([-0.1, -0.2, -0.3, -0.4, -0.5])));
      expect(Array.from(await out.readFrame('sigWaveHeight', 0))).toEqual([1, 1, 1, 1, 2]);
    } finally {
      await out.close();
    }
  });

  it('names what is missing from a file that is not out2d', async () => {
    const cdlPath = join(dir, 'other.cdl');
    const path = join(dir, 'other.nc');
    writeFileSync(cdlPath, 'netcdf other {\ndimensions:\n  x = 2 ;\nvariables:\n  float depth(x) ;\ndata:\n  depth = 1, 2 ;\n}\n');
    execFileSync('ncgen', ['-k', 'classic', '-o', path, cdlPath]);
    await expect(openOut2d(path)).rejects.toThrow(`${path}: not an out2d file: variable time missing`);
  });
});

describe("out2d as SCHISM's scribe writes it (test/support/schismOut2d.ts)", () => {
  const frames = [
    [0.5, 0.25, -1.25, 0],
    [1.5, 0.25, -1.25, 0.125],
  ];
  const file = (layout: SchismOut2d['layout'], lonLat: boolean): SchismOut2d => ({
    mesh: square,
    startDay: '2026-11-25',
    startHour: 6,
    lonLat,
    times: [1800, 3600],
    layout,
    fields: {
      dryFlagNode: { frames: [[0, 0, 1, 0], [0, 0, 1, 1]] },
      elevation: { frames },
      depthAverageVelX: { frames: [[0.1, 0.2, 0, 0], [0, 0, 0, -0.1]] },
      depthAverageVelY: { frames: [[0, 0, 0, 0.5], [0, 0, 0, 0.5]] },
    },
  });

  it('since its CF metadata: ISO time units with a bare hour offset, degree_E / m, float flags, deflated', async () => {
    const path = join(dir, 'scribe_cf.nc');
    await writeSchismOut2d(path, file('cf', true));
    const header = ncdump('-hs', path);
    for (const line of [
      'time:units = "seconds since 2026-11-25T06:00:00+00" ;',
      'SCHISM_hgrid_node_x:units = "degree_E" ;',
      'char SCHISM_hgrid(one) ;',
      'float dryFlagNode(time, nSCHISM_hgrid_node) ;',
      'float dryFlagElement(time, nSCHISM_hgrid_face) ;',
      'elevation:_DeflateLevel = 4 ;',
    ]) {
      expect(header).toContain(line);
    }
    const out = await openOut2d(path);
    try {
      expect(out.coordinates).toBe('lonlat');
      expect(out.start.toISOString()).toBe('2026-11-25T06:00:00.000Z');
      expect(out.times.map((t) => t.toISOString())).toEqual(['2026-11-25T06:30:00.000Z', '2026-11-25T07:00:00.000Z']);
      expect(out.fields).toEqual(['dryFlagNode', 'elevation', 'depthAverageVelX', 'depthAverageVelY']);
      expect(out.mesh.triangles).toEqual(square.triangles);
      expect(Array.from(await out.readFrame('dryFlagNode', 1))).toEqual([0, 0, 1, 1]);
      expect(Array.from(await out.readFrame('elevation', 1))).toEqual(Array.from(Float32Array.from(frames[1])));
    } finally {
      await out.close();
    }
    const projected = join(dir, 'scribe_cf_m.nc');
    await writeSchismOut2d(projected, { ...file('cf', false), mesh: { ...square, x: square.x.map((v) => v * 1e5), y: square.y.map((v) => v * 1e5) } });
    expect(ncdump('-h', projected)).toContain('SCHISM_hgrid_node_x:units = "m" ;');
    const metres = await openOut2d(projected);
    expect(metres.coordinates).toBe('metres');
    await metres.close();
  });

  it('before it: no time units but base_date, unlabelled coordinates told apart by their range', async () => {
    const path = join(dir, 'scribe_base_date.nc');
    await writeSchismOut2d(path, file('base-date', true));
    const header = ncdump('-h', path);
    expect(header).not.toContain('time:units');
    expect(header).toContain('time:base_date = " 2026 11 25       6.00       0.00" ;');
    expect(header).not.toContain('SCHISM_hgrid_node_x:units');
    const out = await openOut2d(path);
    try {
      expect(out.coordinates).toBe('lonlat');
      expect(out.start.toISOString()).toBe('2026-11-25T06:00:00.000Z');
      expect(Array.from(out.seconds)).toEqual([1800, 3600]);
      expect(out.times.map((t) => t.toISOString())).toEqual(['2026-11-25T06:30:00.000Z', '2026-11-25T07:00:00.000Z']);
      expect(out.mesh.triangles).toEqual(square.triangles);
      expect(Array.from(await out.readFrame('depthAverageVelY', 0))).toEqual([0, 0, 0, 0.5]);
    } finally {
      await out.close();
    }
    const projected = join(dir, 'scribe_base_date_m.nc');
    await writeSchismOut2d(projected, { ...file('base-date', false), mesh: { ...square, x: square.x.map((v) => v * 1e5), y: square.y.map((v) => v * 1e5) } });
    const metres = await openOut2d(projected);
    expect(metres.coordinates).toBe('metres');
    await metres.close();
  });

  it('names a time axis it cannot place', async () => {
    const cdlPath = join(dir, 'no_units.cdl');
    const path = join(dir, 'no_units.nc');
    for (const [attribute, message] of [
      ['', `${path}: variable time has neither units nor SCHISM's base_date`],
      ['time:base_date = "2026 11" ;', `${path}: time:base_date '2026 11' is not SCHISM's "year month day hour utc_start"`],
    ]) {
      writeFileSync(cdlPath, `netcdf x {
dimensions: nSCHISM_hgrid_node = 3 ; nSCHISM_hgrid_face = 1 ; nMaxSCHISM_hgrid_face_nodes = 4 ; time = UNLIMITED ;
variables: double time(time) ; ${attribute}
  double SCHISM_hgrid_node_x(nSCHISM_hgrid_node) ; double SCHISM_hgrid_node_y(nSCHISM_hgrid_node) ;
  int SCHISM_hgrid_face_nodes(nSCHISM_hgrid_face, nMaxSCHISM_hgrid_face_nodes) ; float depth(nSCHISM_hgrid_node) ;
data: time = 60 ; SCHISM_hgrid_node_x = 0, 1, 0 ; SCHISM_hgrid_node_y = 0, 0, 1 ; SCHISM_hgrid_face_nodes = 1, 2, 3, -1 ; depth = 1, 1, 1 ;
}
`);
      execFileSync('ncgen', ['-k', 'nc4', '-o', path, cdlPath]);
      await expect(openOut2d(path)).rejects.toThrow(message);
    }
  });
});

describe('time units', () => {
  it('are written in the form SCHISM uses', () => {
    expect(timeUnits(new Date('2026-01-02T03:04:05Z'))).toBe('seconds since 2026-01-02 03:04:05 +00:00');
  });
});
