/**
 * SCHISM's own out2d_<n>.nc as its scribe writes it (scribe_io.F90,
 * nc_writeout2D): NetCDF-4 (HDF5), made by the reference `ncgen` from CDL.
 * What post-processing must read besides the built-in model's classic files.
 *
 * Two generations of the layout:
 * - 'cf' (SCHISM since its CF/UGRID metadata): `time:units` is
 *   `seconds since YYYY-MM-DDTHH:00:00+UU` (start_hour cut to whole hours,
 *   utc_start as a signed offset), the node coordinates carry units `m`
 *   (ics 1) or `degree_E` / `degree_N` (ics 2), the mesh topology is a char
 *   variable on `one`, edges and face and edge centres are written, and the
 *   2D variables are deflated;
 * - 'base-date' (older scribes): `time` has only `i23d` and `base_date`
 *   (" yyyy mm dd   hh.hh   utc_start"), the coordinates no attributes at all,
 *   and there is no topology variable.
 * In both every 2D variable is float (dryFlagNode included) on
 * (time, nSCHISM_hgrid_node), dryFlagNode first, and the element and side dry
 * flags come after the node variables.
 */
import { execFileSync } from 'node:child_process';
import { writeFile } from 'node:fs/promises';

import { dryFlags, meshSides } from '../../core/schism/hotstart.js';

export interface SchismOut2d {
  mesh: { x: ArrayLike<number>; y: ArrayLike<number>; depth: ArrayLike<number>; triangles: ArrayLike<number> };
  /** The day of model time 0, `YYYY-MM-DD`, and its hour (UTC, default 0). */
  startDay: string;
  startHour?: number;
  /** Node coordinates in degrees (a lon/lat mesh, ics 2) rather than metres. */
  lonLat?: boolean;
  /** Seconds from the start. */
  times: number[];
  /**
   * Per-node fields, one array per time, in the file's order; SCHISM writes
   * every one as float. `type: 'int'` (not SCHISM's) is kept for tests that
   * feed post-processing integer flags; `units` is written as given.
   */
  fields: Record<string, { frames: ArrayLike<number>[]; units?: string; type?: 'float' | 'int' }>;
  /** Which scribe wrote it (above); default 'cf'. */
  layout?: 'cf' | 'base-date';
}

const list = (values: ArrayLike<number>) => Array.from(values).join(', ');
const text = (value: string) => `"${value}"`;

/** Writes `path` (and its CDL beside it, `<path>.cdl`). */
export async function writeSchismOut2d(path: string, out: SchismOut2d): Promise<void> {
  const cdl = schismOut2dCdl(out);
  await writeFile(`${path}.cdl`, cdl);
  execFileSync('ncgen', ['-k', 'nc4', '-o', path, `${path}.cdl`]);
}

export function schismOut2dCdl(out: SchismOut2d): string {
  const { mesh, times, fields } = out;
  const cf = (out.layout ?? 'cf') === 'cf';
  const np = mesh.x.length;
  const ne = mesh.triangles.length / 3;
  const triangles = Int32Array.from(mesh.triangles);
  const sides = meshSides({ x: Float64Array.from(mesh.x), triangles });
  const corner = (t: number, k: number) => mesh.triangles[3 * t + k];
  const faces = Array.from({ length: ne }, (_, t) => `${corner(t, 0) + 1}, ${corner(t, 1) + 1}, ${corner(t, 2) + 1}, _`);
  const edges = Array.from({ length: sides.count }, (_, s) => `${sides.nodes[2 * s] + 1}, ${sides.nodes[2 * s + 1] + 1}`);
  const centre = (values: ArrayLike<number>) => ({
    face: Array.from({ length: ne }, (_, t) => (values[corner(t, 0)] + values[corner(t, 1)] + values[corner(t, 2)]) / 3),
    edge: Array.from({ length: sides.count }, (_, s) => (values[sides.nodes[2 * s]] + values[sides.nodes[2 * s + 1]]) / 2),
  });
  const [cx, cy] = [centre(mesh.x), centre(mesh.y)];

  const hour = out.startHour ?? 0;
  // start_year, start_month, start_day, start_hour, utc_start in SCHISM's '(i5,2(1x,i2),2(1x,f10.2))'; coastcast writes utc_start 0.
  const [year, month, day] = out.startDay.split('-').map(Number);
  const baseDate = `${String(year).padStart(5)} ${String(month).padStart(2)} ${String(day).padStart(2)} ${hour.toFixed(2).padStart(10)} ${(0).toFixed(2).padStart(10)}`;
  const isoUnits = `seconds since ${out.startDay}T${String(Math.trunc(hour)).padStart(2, '0')}:00:00+00`;

  const axis = (name: string, which: 'X' | 'Y', location: string) => {
    if (!cf) return [];
    const [units, standard] = out.lonLat
      ? [which === 'X' ? 'degree_E' : 'degree_N', which === 'X' ? 'longitude' : 'latitude']
      : ['m', which === 'X' ? 'projection_x_coordinate' : 'projection_y_coordinate'];
    return [`${name}:axis = ${text(which)}`, `${name}:location = ${text(location)}`, `${name}:mesh = "SCHISM_hgrid"`, `${name}:units = ${text(units)}`, `${name}:standard_name = ${text(standard)}`];
  };
  const variable = (declaration: string, attributes: string[] = []) => [`  ${declaration} ;`, ...attributes.map((a) => `    ${a} ;`)].join('\n');
  const timeVariable = (name: string, location: 'node' | 'face' | 'edge', type: string, i23d: number, units?: string) =>
    variable(`${type} ${name}(time, nSCHISM_hgrid_${location})`, [
      `${name}:i23d = ${i23d}`,
      ...(cf ? [`${name}:mesh = "SCHISM_hgrid"`, `${name}:location = ${text(location)}`] : []),
      ...(units ? [`${name}:units = ${text(units)}`] : []),
      ...(cf ? [`${name}:_DeflateLevel = 4`, `${name}:_Shuffle = "false"`] : []),
    ]);

  // dryFlagNode is always written, first among the node variables.
  const nodeFields = [
    ['dryFlagNode', fields.dryFlagNode ?? { frames: times.map(() => new Array(np).fill(0)) }] as const,
    ...Object.entries(fields).filter(([name]) => name !== 'dryFlagNode'),
  ];
  const dry = nodeFields[0][1].frames.map((frame) => dryFlags(triangles, sides, Int32Array.from(frame)));

  const declarations = [
    variable('double time(time)', cf ? ['time:i23d = 0', `time:base_date = ${text(baseDate)}`, `time:units = ${text(isoUnits)}`, 'time:standard_name = "time"', 'time:axis = "T"'] : ['time:i23d = 0', `time:base_date = ${text(baseDate)}`]),
    variable('double minimum_depth(one)', cf ? ['minimum_depth:units = "m"'] : []),
    ...(cf
      ? [
          variable('char SCHISM_hgrid(one)', [
            'SCHISM_hgrid:long_name = "Topology data of 2d unstructured mesh"',
            'SCHISM_hgrid:topology_dimension = 2',
            'SCHISM_hgrid:cf_role = "mesh_topology"',
            'SCHISM_hgrid:node_coordinates = "SCHISM_hgrid_node_x SCHISM_hgrid_node_y"',
            'SCHISM_hgrid:edge_coordinates = "SCHISM_hgrid_edge_x SCHISM_hgrid_edge_y"',
            'SCHISM_hgrid:face_coordinates = "SCHISM_hgrid_face_x SCHISM_hgrid_face_y"',
            'SCHISM_hgrid:edge_node_connectivity = "SCHISM_hgrid_edge_nodes"',
            'SCHISM_hgrid:face_node_connectivity = "SCHISM_hgrid_face_nodes"',
          ]),
          ...(out.lonLat ? [variable('int crs(one)', ['crs:grid_mapping_name = "latitude_longitude"'])] : []),
        ]
      : []),
    variable('double SCHISM_hgrid_node_x(nSCHISM_hgrid_node)', axis('SCHISM_hgrid_node_x', 'X', 'node')),
    variable('double SCHISM_hgrid_node_y(nSCHISM_hgrid_node)', axis('SCHISM_hgrid_node_y', 'Y', 'node')),
    variable('float depth(nSCHISM_hgrid_node)', cf ? ['depth:units = "m"', 'depth:axis = "Z"', 'depth:positive = "down"'] : []),
    variable('int bottom_index_node(nSCHISM_hgrid_node)'),
    ...(cf
      ? [
          variable('double SCHISM_hgrid_face_x(nSCHISM_hgrid_face)', axis('SCHISM_hgrid_face_x', 'X', 'face')),
          variable('double SCHISM_hgrid_face_y(nSCHISM_hgrid_face)', axis('SCHISM_hgrid_face_y', 'Y', 'face')),
          variable('double SCHISM_hgrid_edge_x(nSCHISM_hgrid_edge)', axis('SCHISM_hgrid_edge_x', 'X', 'edge')),
          variable('double SCHISM_hgrid_edge_y(nSCHISM_hgrid_edge)', axis('SCHISM_hgrid_edge_y', 'Y', 'edge')),
        ]
      : []),
    variable('int SCHISM_hgrid_face_nodes(nSCHISM_hgrid_face, nMaxSCHISM_hgrid_face_nodes)', cf ? ['SCHISM_hgrid_face_nodes:start_index = 1', 'SCHISM_hgrid_face_nodes:_FillValue = -1', 'SCHISM_hgrid_face_nodes:cf_role = "face_node_connectivity"'] : []),
    variable('int SCHISM_hgrid_edge_nodes(nSCHISM_hgrid_edge, two)', cf ? ['SCHISM_hgrid_edge_nodes:start_index = 1', 'SCHISM_hgrid_edge_nodes:_FillValue = -1', 'SCHISM_hgrid_edge_nodes:cf_role = "edge_node_connectivity"'] : []),
    ...nodeFields.map(([name, field]) => timeVariable(name, 'node', field.type ?? 'float', 1, field.units)),
    timeVariable('dryFlagElement', 'face', 'float', 4),
    timeVariable('dryFlagSide', 'edge', 'float', 7),
  ];
  const data = [
    `  time = ${list(times)} ;`,
    '  minimum_depth = 0.01 ;',
    `  SCHISM_hgrid_node_x = ${list(mesh.x)} ;`,
    `  SCHISM_hgrid_node_y = ${list(mesh.y)} ;`,
    `  depth = ${list(mesh.depth)} ;`,
    `  bottom_index_node = ${new Array(np).fill(1).join(', ')} ;`,
    ...(cf ? [`  SCHISM_hgrid_face_x = ${list(cx.face)} ;`, `  SCHISM_hgrid_face_y = ${list(cy.face)} ;`, `  SCHISM_hgrid_edge_x = ${list(cx.edge)} ;`, `  SCHISM_hgrid_edge_y = ${list(cy.edge)} ;`] : []),
    // Triangles only: SCHISM fills the fourth corner with -1 (elnode's initial value).
    `  SCHISM_hgrid_face_nodes = ${cf ? faces.join(', ') : faces.join(', ').replaceAll('_', '-1')} ;`,
    `  SCHISM_hgrid_edge_nodes = ${edges.join(', ')} ;`,
    ...nodeFields.map(([name, field]) => `  ${name} = ${field.frames.map(list).join(', ')} ;`),
    `  dryFlagElement = ${dry.map((d) => list(d.idryE)).join(', ')} ;`,
    `  dryFlagSide = ${dry.map((d) => list(d.idryS)).join(', ')} ;`,
  ];
  return `netcdf out2d {
dimensions:
  nSCHISM_hgrid_node = ${np} ;
  nSCHISM_hgrid_face = ${ne} ;
  nSCHISM_hgrid_edge = ${sides.count} ;
  nMaxSCHISM_hgrid_face_nodes = 4 ;
  nSCHISM_vgrid_layers = 2 ;
  one = 1 ;
  two = 2 ;
  time = UNLIMITED ;
variables:
${declarations.join('\n')}
data:
${data.join('\n')}
}
`;
}
