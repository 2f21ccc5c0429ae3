/**
 * The wizard's map: the checked mesh (a thin wireframe of its triangles, open
 * boundaries in magenta, land boundaries and islands in dark ink) and the
 * stations entered so far. The Leaflet map is made the first time the panel
 * is shown, since it measures its container.
 */
import L from 'leaflet';

import type { AppConfig, MeshPreview } from '../../api/types';
import { createMap } from '../../map/baseMap';
import { BOUNDARY_STYLE } from '../../map/boundaryStyle';
import { h } from '../../ui/dom';
import { WireframeLayer } from './wireframeLayer';

const WIREFRAME_COLOUR = 'rgba(74, 90, 102, 0.7)';
const OPEN: L.PolylineOptions = { ...BOUNDARY_STYLE.open, interactive: false };
const LAND: L.PolylineOptions = { ...BOUNDARY_STYLE.land, interactive: false };

export interface MapStation {
  id: string;
  lon: number;
  lat: number;
}

/** The smallest box holding every node; undefined for none. */
function meshBounds({ lon, lat }: MeshPreview): L.LatLngBounds | undefined {
  if (lon.length === 0) return undefined;
  let west = Infinity;
  let east = -Infinity;
  let south = Infinity;
  let north = -Infinity;
  for (let n = 0; n < lon.length; n++) {
    west = Math.min(west, lon[n]);
    east = Math.max(east, lon[n]);
    south = Math.min(south, lat[n]);
    north = Math.max(north, lat[n]);
  }
  return L.latLngBounds([south, west], [north, east]);
}

export class WizardMap {
  readonly element: HTMLElement;
  private readonly container: HTMLElement;
  private map: L.Map | undefined;
  private readonly meshLayer = L.layerGroup();
  private readonly stationLayer = L.layerGroup();
  private meshBounds: L.LatLngBounds | undefined;
  /** The mesh changed while the map was hidden: frame it when it shows. */
  private frameOnShow = false;
  private clickHandler: ((lon: number, lat: number) => void) | undefined;

  constructor(private readonly config: AppConfig) {
    this.container = h('div', { class: 'map wizard-map', role: 'region', 'aria-label': 'map of the mesh and the stations', 'data-testid': 'wizard-map' });
    this.element = h(
      'div',
      { class: 'wizard-map-panel' },
      this.container,
      h(
        'ul',
        { class: 'wizard-map-legend', 'aria-label': 'map legend' },
        h('li', {}, h('span', { class: 'swatch swatch-open', 'aria-hidden': 'true' }), 'open boundary'),
        h('li', {}, h('span', { class: 'swatch swatch-land', 'aria-hidden': 'true' }), 'land boundary'),
        h('li', {}, h('span', { class: 'swatch swatch-mesh', 'aria-hidden': 'true' }), 'mesh triangles'),
        h('li', {}, h('span', { class: 'swatch swatch-station', 'aria-hidden': 'true' }), 'station'),
      ),
    );
  }

  /** Call when the panel has become visible: makes the map on first call, re-measures it after. */
  show(): void {
    if (!this.map) {
      this.map = createMap(this.container, this.config);
      this.map.setView([20, 0], 2);
      this.meshLayer.addTo(this.map);
      this.stationLayer.addTo(this.map);
      this.map.on('click', (event: L.LeafletMouseEvent) => {
        // A map panned round the globe gives longitudes past ±180.
        const { lng, lat } = event.latlng.wrap();
        this.clickHandler?.(lng, lat);
      });
    }
    this.map.invalidateSize();
    if (this.frameOnShow) this.frame();
  }

  /** Draws a checked mesh in place of the previous one (none: null). */
  setMesh(preview: MeshPreview | null): void {
    this.meshLayer.clearLayers();
    this.meshBounds = undefined;
    if (preview) {
      const chain = (nodes: number[]) => nodes.map((n): L.LatLngTuple => [preview.lat[n], preview.lon[n]]);
      if (preview.triangles.length > 0) this.meshLayer.addLayer(new WireframeLayer(preview.lon, preview.lat, preview.triangles, WIREFRAME_COLOUR));
      const land = preview.boundaries.filter((b) => b.kind !== 'open').map((b) => chain(b.nodes));
      const open = preview.boundaries.filter((b) => b.kind === 'open').map((b) => chain(b.nodes));
      if (land.length > 0) this.meshLayer.addLayer(L.polyline(land, LAND));
      if (open.length > 0) this.meshLayer.addLayer(L.polyline(open, OPEN));
      this.meshBounds = meshBounds(preview);
    }
    this.frameOnShow = true;
    if (this.map && this.container.offsetParent !== null) this.frame();
  }

  setStations(stations: readonly MapStation[]): void {
    this.stationLayer.clearLayers();
    for (const station of stations) {
      if (!Number.isFinite(station.lon) || !Number.isFinite(station.lat)) continue;
      L.circleMarker([station.lat, station.lon], { radius: 6, color: '#ffffff', weight: 2, fillColor: '#0b5c8e', fillOpacity: 1 })
        .bindTooltip(station.id || '(no id yet)', { permanent: true, direction: 'right', offset: [8, 0], className: 'wizard-station-label' })
        .addTo(this.stationLayer);
    }
  }

  /** What a click on the map does; undefined: nothing. */
  onClick(handler: ((lon: number, lat: number) => void) | undefined): void {
    this.clickHandler = handler;
    this.container.classList.toggle('wizard-map-picking', handler !== undefined);
  }

  dispose(): void {
    this.map?.remove();
  }

  private frame(): void {
    this.frameOnShow = false;
    if (this.map && this.meshBounds) this.map.fitBounds(this.meshBounds, { padding: [16, 16] });
  }
}
