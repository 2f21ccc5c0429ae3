/**
 * SCHISM's own out2d layout as SCHISM writes it, NetCDF-4 (HDF5), made by
 * the reference `ncgen` from CDL: what post-processing must read besides the
 * built-in model's classic files.
 */
import { execFileSync } from 'node:child_process';
import { writeFile } from 'node:fs/promises';

export interface SchismOut2d {
  mesh: { x: ArrayLike<number>; y: ArrayLike<number>; depth: ArrayLike<number>; triangles: ArrayLike<number> };
  /** The day of model time 0, `YYYY-MM-DD`, and its hour (UTC, default 0). */
  startDay: string;
  startHour?: number;
  /** Node coordinates in degrees (a lon/lat mesh, ics 2) rather than metres. */
  lonLat?: boolean;
  /** Seconds from the start. */
  times: number[];
  /** Per-node fields, one array per time, in CDL order; ints for flags, floats otherwise. */
  fields: Record<string, { frames: ArrayLike<number>[]; units?: string; type?: 'float' | 'int' }>;
}

const list = (values: ArrayLike<number>) => Array.from(values).join(', ');

/** Writes `path` (and its CDL beside it, `<path>.cdl`). */
export async function writeSchismOut2d(path: string, out: SchismOut2d): Promise<void> {
  const { mesh, times, fields } = out;
  const faces = Array.from({ length: mesh.triangles.length / 3 }, (_, t) => `${mesh.triangles[3 * t] + 1}, ${mesh.triangles[3 * t + 1] + 1}, ${mesh.triangles[3 * t + 2] + 1}, _`);
  const declarations = Object.entries(fields).map(([name, field]) =>
    `  ${field.type ?? 'float'} ${name}(time, nSCHISM_hgrid_node) ;${field.units ? `\n    ${name}:units = "${field.units}" ;` : ''}`,
  );
  const data = Object.entries(fields).map(([name, field]) => `  ${name} = ${field.frames.map(list).join(', ')} ;`);
  const cdl = `netcdf out2d {
dimensions:
  nSCHISM_hgrid_node = ${mesh.x.length} ;
  nSCHISM_hgrid_face = ${faces.length} ;
  nMaxSCHISM_hgrid_face_nodes = 4 ;
  time = UNLIMITED ;
variables:
  double time(time) ;
    time:units = "seconds since ${out.startDay} ${String(out.startHour ?? 0).padStart(2)}:00:00   0:00" ;
    time:standard_name = "time" ;
  int SCHISM_hgrid ;
    SCHISM_hgrid:cf_role = "mesh_topology" ;
  double SCHISM_hgrid_node_x(nSCHISM_hgrid_node) ;
    SCHISM_hgrid_node_x:units = "${out.lonLat ? 'degrees_east' : 'm'}" ;
  double SCHISM_hgrid_node_y(nSCHISM_hgrid_node) ;
    SCHISM_hgrid_node_y:units = "${out.lonLat ? 'degrees_north' : 'm'}" ;
  int SCHISM_hgrid_face_nodes(nSCHISM_hgrid_face, nMaxSCHISM_hgrid_face_nodes) ;
    SCHISM_hgrid_face_nodes:_FillValue = -1 ;
    SCHISM_hgrid_face_nodes:start_index = 1 ;
  float depth(nSCHISM_hgrid_node) ;
${declarations.join('\n')}
data:
  time = ${list(times)} ;
  SCHISM_hgrid = 0 ;
  SCHISM_hgrid_node_x = ${list(mesh.x)} ;
  SCHISM_hgrid_node_y = ${list(mesh.y)} ;
  SCHISM_hgrid_face_nodes = ${faces.join(', ')} ;
  depth = ${list(mesh.depth)} ;
${data.join('\n')}
}
`;
  await writeFile(`${path}.cdl`, cdl);
  execFileSync('ncgen', ['-k', 'nc4', '-o', path, `${path}.cdl`]);
}
