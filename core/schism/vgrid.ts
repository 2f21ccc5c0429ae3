/**
 * vgrid.in for SCHISM run in 2D (depth-averaged), as coastcast runs it: one
 * S layer from the bed to the surface (ivcor = 2, nvrt = 2), with a single
 * Z level far below any bed, the "pure S" grid of SCHISM's manual that
 * makes SCHISM a 2D model. The built-in model is 2D by construction and does
 * not read it.
 */
export const VGRID_IN = 'vgrid.in';

export function formatVgrid2d(): string {
  return [
    '2 !ivcor: SZ',
    '2 1 1.e6 !nvrt, kz (Z levels), h_s: one S layer everywhere (2D)',
    'Z levels',
    '1 -1.e6 !the only Z level, below any bed',
    'S levels',
    '40. 1. 1.e-4 !h_c, theta_b, theta_f',
    '1 -1. !bed',
    '2 0. !surface',
    '',
  ].join('\n');
}
