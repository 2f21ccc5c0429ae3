/**
 * The flood extent over the field: land flooded at the slider's time, or at
 * any time when the maximum envelope shows, drawn semi-transparent with its
 * area. Extents are fetched when first shown, through the cycle's ProductCache.
 */
import L from 'leaflet';

import type { ProductCache } from '../../products/productCache';
import { formatNumber, h } from '../../ui/dom';

interface FloodExtent extends GeoJSON.FeatureCollection {
  features: GeoJSON.Feature<GeoJSON.MultiPolygon, { floodedAreaKm2: number; maxDepthM: number | null }>[];
}

const STYLE: L.PathOptions = { color: '#5b1a8c', weight: 1, fillColor: '#8d3fc4', fillOpacity: 0.35, interactive: false };

export class FloodOverlay {
  readonly element: HTMLElement;
  readonly area: HTMLElement;
  private readonly checkbox: HTMLInputElement;
  private layer: L.GeoJSON | undefined;
  /** The product path to show: flood/<index>.geojson or flood/max.geojson. */
  private path = 'flood/0.geojson';
  private generation = 0;

  constructor(
    private readonly map: L.Map,
    private readonly products: ProductCache,
    private readonly onError: (error: Error) => void,
  ) {
    this.checkbox = h('input', { type: 'checkbox', id: 'viewer-flood', 'data-testid': 'flood-toggle', onchange: () => void this.refresh() });
    this.area = h('p', { class: 'flooded-area', 'data-testid': 'flooded-area', 'aria-live': 'polite' });
    this.element = h('div', { class: 'toggle' }, this.checkbox, h('label', { for: 'viewer-flood' }, 'Flood extent'));
  }

  /** Shows the extent at output `index`, or the maximum extent when `index` is null. */
  show(index: number | null): Promise<void> {
    this.path = index === null ? 'flood/max.geojson' : `flood/${index}.geojson`;
    return this.refresh();
  }

  private async refresh(): Promise<void> {
    const generation = ++this.generation;
    if (!this.checkbox.checked) {
      this.layer?.remove();
      this.layer = undefined;
      this.area.textContent = '';
      return;
    }
    let extent: FloodExtent;
    try {
      extent = await this.products.get(this.path, (response) => response.json() as Promise<FloodExtent>);
    } catch (error) {
      this.onError(error as Error);
      return;
    }
    // The slider moved on while this extent loaded.
    if (generation !== this.generation) return;
    this.layer?.remove();
    this.layer = L.geoJSON(extent, { style: STYLE }).addTo(this.map);
    const km2 = extent.features[0]?.properties.floodedAreaKm2 ?? 0;
    this.area.textContent = `Flooded area: ${formatNumber(km2, km2 < 10 ? 3 : 1)} km²`;
  }
}
