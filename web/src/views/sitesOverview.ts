/**
 * Every site on one map (its mesh outline) with its latest cycle's status
 * and the alerts of its latest completed forecast.
 */
import L from 'leaflet';

import { api } from '../api/client';
import type { AppConfig, SiteListing } from '../api/types';
import { createMap } from '../map/baseMap';
import { BOUNDARY_STYLE, type BoundaryKind } from '../map/boundaryStyle';
import type { View } from '../router';
import { formatNumber, formatTime, h } from '../ui/dom';
import { statusBadge } from './cycleStatus';
import './sitesOverview.css';

function alertText(listing: SiteListing): HTMLElement {
  if (!listing.latestAlerts) return h('span', { class: 'muted' }, 'no forecast yet');
  const { alerts } = listing.latestAlerts;
  if (alerts.length === 0) return h('span', {}, 'no alerts');
  return h(
    'ul',
    { class: 'alert-list' },
    alerts.map((alert) =>
      h('li', {}, h('strong', {}, alert.name), ` — ${formatNumber(alert.value)} ${alert.kind === 'floodedArea' || alert.kind === 'floodedPolygon' ? 'km²' : 'm'} (threshold ${formatNumber(alert.threshold)}), peak ${formatTime(alert.peakAt)}`),
    ),
  );
}

function siteRow(listing: SiteListing): HTMLElement {
  const site = `#/sites/${encodeURIComponent(listing.id)}`;
  return h(
    'tr',
    { dataset: { site: listing.id } },
    h('th', { scope: 'row' }, h('a', { href: site }, listing.name), h('div', { class: 'muted' }, listing.id)),
    h('td', {}, listing.latestCycle ? [statusBadge(listing.latestCycle.status), h('div', { class: 'muted' }, formatTime(listing.latestCycle.cycle))] : h('span', { class: 'muted' }, 'no cycle yet')),
    h('td', {}, alertText(listing)),
    h('td', {}, listing.latestAlerts ? h('a', { href: `${site}/cycles/latest` }, 'Latest forecast') : null, ' ', h('a', { href: site }, 'Runs')),
  );
}

export async function sitesOverview(config: AppConfig): Promise<View> {
  const sites = await api.sites();
  const mapElement = h('div', { class: 'map overview-map', role: 'region', 'aria-label': 'map of the sites' });
  const element = h(
    'section',
    { class: 'overview' },
    mapElement,
    h(
      'div',
      { class: 'page' },
      h('h1', {}, 'Sites'),
      sites.length === 0
        ? h('p', {}, 'No site yet. ', h('a', { href: '#/sites/new' }, 'Configure the first one'), '.')
        : h('table', { class: 'site-table' }, h('thead', {}, h('tr', {}, h('th', {}, 'Site'), h('th', {}, 'Latest cycle'), h('th', {}, 'Alerts of the latest forecast'), h('th', {}, ''))), h('tbody', {}, sites.map(siteRow))),
      h('p', {}, h('a', { class: 'button primary', href: '#/sites/new' }, 'New site')),
    ),
  );

  // The map needs its container in the document to size itself: build it once the router has shown the view.
  let map: L.Map | undefined;
  let disposed = false;
  requestAnimationFrame(() => {
    if (disposed) return;
    map = createMap(mapElement, config);
    map.setView([20, 0], 2);
    const bounds = L.latLngBounds([]);
    void Promise.all(
      sites.map(async (listing) => {
        const outline = await api.outline(listing.id);
        if (disposed || !map) return;
        const layer = L.geoJSON(outline as GeoJSON.FeatureCollection, { style: (feature) => BOUNDARY_STYLE[(feature?.properties as { kind: BoundaryKind }).kind] })
          .bindTooltip(listing.name, { sticky: true })
          .on('click', () => (window.location.hash = `#/sites/${encodeURIComponent(listing.id)}`))
          .addTo(map);
        bounds.extend(layer.getBounds());
      }),
    ).then(() => {
      if (disposed || !map) return;
      if (bounds.isValid()) map.fitBounds(bounds, { padding: [24, 24], maxZoom: 12 });
      // How many outlines are drawn (on a canvas, so not in the DOM): for tests and assistive summaries.
      mapElement.dataset.outlines = String(sites.length);
    });
  });
  return {
    element,
    dispose: () => {
      disposed = true;
      map?.remove();
    },
  };
}
