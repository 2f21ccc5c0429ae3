/**
 * A Leaflet map as every view uses it: Web Mercator, no tiles unless the
 * server configures a basemap (the app works offline; the mesh's land
 * boundary draws the coastline), a scale bar, and a background that reads
 * as water.
 */
import L from 'leaflet';
import 'leaflet/dist/leaflet.css';

import type { AppConfig } from '../api/types';

export function createMap(container: HTMLElement, config: AppConfig): L.Map {
  const map = L.map(container, { zoomControl: true, attributionControl: config.basemap !== null, preferCanvas: true, zoomSnap: 0.25 });
  if (config.basemap) L.tileLayer(config.basemap.url, { attribution: config.basemap.attribution, maxZoom: config.basemap.maxZoom }).addTo(map);
  L.control.scale({ imperial: false }).addTo(map);
  map.getContainer().classList.add(config.basemap ? 'map-with-basemap' : 'map-offline');
  return map;
}
