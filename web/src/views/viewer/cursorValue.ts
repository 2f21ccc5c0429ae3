/**
 * The field's value under the mouse, in a corner of the map: "1.23 m at
 * 37.50°N 122.48°W" (with the waves' direction where arrows show: "2.41 m
 * from 285° (WNW) at …"), or that the point is dry or off the mesh. It
 * follows frame changes too, so a cursor held still reads the new time's value.
 */
import L from 'leaflet';

import { compassPoint } from '../../map/waveDirection';
import { formatNumber, h } from '../../ui/dom';

export class CursorValue extends L.Control {
  private readonly element = h('div', { class: 'cursor-value', 'data-testid': 'cursor-value' });
  private latlng: L.LatLng | null = null;

  constructor(
    private readonly value: (latlng: L.LatLng) => number | null,
    private readonly units: () => string,
    /** Where the waves come from at the point, when arrows show. */
    private readonly direction: (latlng: L.LatLng) => number | null = () => null,
  ) {
    super({ position: 'bottomleft' });
  }

  override onAdd(map: L.Map): HTMLElement {
    map.on('mousemove', this.moved, this).on('mouseout', this.left, this);
    this.render();
    return this.element;
  }

  override onRemove(map: L.Map): void {
    map.off('mousemove', this.moved, this).off('mouseout', this.left, this);
  }

  /** Reads the value again at the last position (the frame or variable changed). */
  refresh(): void {
    this.render();
  }

  private moved(event: L.LeafletMouseEvent): void {
    this.latlng = event.latlng;
    this.render();
  }

  private left(): void {
    this.latlng = null;
    this.render();
  }

  private render(): void {
    this.element.hidden = this.latlng === null;
    if (!this.latlng) return;
    const v = this.value(this.latlng);
    const where = formatLatLng(this.latlng);
    const from = v === null ? null : this.direction(this.latlng);
    const coming = from === null ? '' : ` from ${from.toFixed(0)}° (${compassPoint(from)})`;
    this.element.textContent = v === null ? `dry / outside mesh at ${where}` : `${formatNumber(v)} ${this.units()}${coming} at ${where}`;
  }
}

/** 37.5, -122.48 → `37.50°N 122.48°W` */
function formatLatLng({ lat, lng }: L.LatLng): string {
  const lon = ((((lng + 180) % 360) + 360) % 360) - 180;
  return `${Math.abs(lat).toFixed(2)}°${lat < 0 ? 'S' : 'N'} ${Math.abs(lon).toFixed(2)}°${lon < 0 ? 'W' : 'E'}`;
}
