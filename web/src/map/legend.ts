/**
 * The map's legend: what the colours mean (variable, units, a colour bar
 * and five values along it). The bar and its tick row are hidden from
 * screen readers, which read one summary sentence of the range instead.
 */
import L from 'leaflet';

import { h, replaceChildren } from '../ui/dom';
import type { Colormap } from './colormap';
import './map.css';

export interface LegendField {
  title: string;
  units: string;
  range: { min: number; max: number };
  colormap: Colormap;
  /** A line under the scale about what else the map shows (arrows). */
  note?: string;
}

const TICKS = 5;

export class Legend extends L.Control {
  private readonly element = h('div', { class: 'map-legend', role: 'group', 'aria-live': 'polite' });
  private field: LegendField | null = null;

  constructor(options: L.ControlOptions = {}) {
    super({ position: 'bottomright', ...options });
  }

  override onAdd(): HTMLElement {
    L.DomEvent.disableClickPropagation(this.element);
    L.DomEvent.disableScrollPropagation(this.element);
    this.render();
    return this.element;
  }

  setField(field: LegendField): void {
    this.field = field;
    this.render();
  }

  private render(): void {
    const field = this.field;
    this.element.hidden = field === null;
    if (!field) return;
    const { min, max } = field.range;
    const values = Array.from({ length: TICKS }, (_, k) => min + ((max - min) * k) / (TICKS - 1));
    const decimals = decimalsFor(values);
    const labels = values.map((value) => (Math.abs(value) < 1e-12 ? 0 : value).toFixed(decimals));
    const stops = Array.from({ length: 17 }, (_, k) => `${field.colormap.css(k / 16)} ${(k / 16) * 100}%`);
    this.element.setAttribute('aria-label', `Legend: ${field.title}`);
    replaceChildren(
      this.element,
      h('div', { class: 'map-legend-title' }, field.title, field.units ? h('span', { class: 'map-legend-units' }, ` (${field.units})`) : null),
      h('div', { class: 'map-legend-bar', style: `background: linear-gradient(to right, ${stops.join(', ')})`, 'aria-hidden': 'true' }),
      h('div', { class: 'map-legend-ticks', 'aria-hidden': 'true' }, labels.map((label, k) => h('span', { style: `left: ${(100 * k) / (TICKS - 1)}%` }, label))),
      field.note ? h('p', { class: 'map-legend-note' }, field.note) : null,
      h('p', { class: 'map-legend-summary' }, `${field.title}${field.units ? ` in ${field.units}` : ''}: colour scale from ${labels[0]} to ${labels[TICKS - 1]}.`),
    );
  }
}

/** The fewest decimals (up to 4) that write every tick exactly. */
function decimalsFor(values: number[]): number {
  for (let decimals = 0; decimals < 4; decimals++) {
    const scale = 10 ** decimals;
    if (values.every((value) => Math.abs(Math.round(value * scale) - value * scale) < 1e-6 * scale)) return decimals;
  }
  return 4;
}
