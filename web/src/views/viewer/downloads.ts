/**
 * The cycle's files to take away (GET …/downloads): station series as CSV,
 * the model's NetCDF output, the maximum flood extent as GeoJSON.
 */
import type { Download } from '../../api/types';
import { h } from '../../ui/dom';

/** 1234567 → `1.2 MB` */
function formatBytes(bytes: number): string {
  const units = ['B', 'kB', 'MB', 'GB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit++;
  }
  return `${unit === 0 ? value : value.toFixed(1)} ${units[unit]}`;
}

export function downloadsList(downloads: readonly Download[]): HTMLElement {
  if (downloads.length === 0) return h('p', { class: 'muted', 'data-testid': 'downloads' }, 'No files to download for this cycle.');
  return h(
    'ul',
    { class: 'downloads', 'data-testid': 'downloads' },
    downloads.map((d) => h('li', {}, h('a', { href: d.url, download: d.name }, d.name), ` ${formatBytes(d.bytes)}`, h('br'), h('span', { class: 'muted' }, d.description))),
  );
}
