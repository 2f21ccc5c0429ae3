/**
 * How a mesh's boundaries look on every map: open boundaries (where the tide
 * comes in) in a strong magenta that stands out from water colours and the
 * wireframe, land boundaries and islands in ink.
 */
import type L from 'leaflet';

export type BoundaryKind = 'open' | 'land' | 'island';

export const BOUNDARY_STYLE: Record<BoundaryKind, L.PolylineOptions> = {
  open: { color: '#b0116e', weight: 4, opacity: 0.95 },
  land: { color: '#14212b', weight: 2, opacity: 0.95 },
  island: { color: '#14212b', weight: 2, opacity: 0.95 },
};
