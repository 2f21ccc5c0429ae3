/**
 * The site's stations: a marker on the map for each one in the mesh, the
 * same stations as a list of buttons (the keyboard's way to them), and the
 * stations outside the mesh with the reason they have no series.
 */
import L from 'leaflet';

import type { StationsProduct } from '../../api/types';
import { h } from '../../ui/dom';

export type StationProduct = StationsProduct['stations'][number];
export type MeshStation = Extract<StationProduct, { inMesh: true }>;

const MARKER_STYLE: L.CircleMarkerOptions = { radius: 7, color: '#14212b', weight: 2, fillColor: '#f2b705', fillOpacity: 1 };

export function stationMarkers(stations: readonly MeshStation[], open: (station: MeshStation) => void): L.LayerGroup {
  return L.layerGroup(
    stations.map((station) =>
      L.circleMarker([station.lat, station.lon], MARKER_STYLE)
        .bindTooltip(station.name)
        .on('click', () => open(station)),
    ),
  );
}

export function stationList(stations: readonly StationProduct[], open: (station: MeshStation, button: HTMLButtonElement) => void): HTMLElement {
  const inMesh = stations.filter((s): s is MeshStation => s.inMesh);
  const outside = stations.filter((s): s is Extract<StationProduct, { inMesh: false }> => !s.inMesh);
  if (stations.length === 0) return h('p', { class: 'muted' }, 'This site has no stations.');
  return h(
    'div',
    {},
    h(
      'ul',
      { class: 'station-list', 'data-testid': 'station-list' },
      inMesh.map((station) => {
        const button: HTMLButtonElement = h('button', { type: 'button', dataset: { station: station.id }, onclick: () => open(station, button) }, station.name);
        return h('li', {}, button);
      }),
    ),
    outside.length > 0 && h('p', { class: 'muted' }, 'Outside the mesh, so without a forecast:'),
    outside.length > 0 && h('ul', { class: 'problems' }, outside.map((s) => h('li', {}, `${s.name}: ${s.problem}`))),
  );
}
