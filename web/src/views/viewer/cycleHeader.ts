/**
 * What the forecast is: the site and cycle, its status, whether it ran
 * degraded (and why), and the alerts its thresholds raised.
 */
import type { Alert, CycleSummary, CycleView, SiteStation } from '../../api/types';
import { formatNumber, formatTime, h } from '../../ui/dom';
import { statusBadge } from '../cycleStatus';

function alertText(alert: Alert, stations: readonly SiteStation[]): string {
  const times = `from ${formatTime(alert.firstExceededAt)}, peak ${formatTime(alert.peakAt)}`;
  if (alert.kind === 'floodedArea') return `Flooded area above ${formatNumber(alert.threshold, 3)} km² (“${alert.name}”): up to ${formatNumber(alert.value, 3)} km², ${times}`;
  if (alert.kind === 'floodedPolygon') return `Flooded land in “${alert.name}” above ${formatNumber(alert.threshold, 3)} km²: up to ${formatNumber(alert.value, 3)} km², ${times}`;
  const station = stations.find((s) => s.id === alert.stationId)?.name ?? alert.stationId;
  const what = alert.kind === 'waveHeight' ? 'wave height' : 'water level';
  return `${station}: ${what} above ${formatNumber(alert.threshold)} m (“${alert.name}”), up to ${formatNumber(alert.value)} m, ${times}`;
}

export function cycleHeader(siteName: string, cycle: CycleView, summary: CycleSummary, stations: readonly SiteStation[]): HTMLElement {
  const degraded = summary.degraded.length > 0 ? summary.degraded : cycle.degraded;
  // Cycles from before forcing deadlines have no reasons of their own: their messages say what happened.
  const reasons = summary.degradedReasons ?? summary.messages;
  const alerts = summary.products.alerts;
  return h(
    'header',
    { class: 'cycle-header' },
    h('h1', {}, siteName),
    h('p', {}, `Forecast of ${formatTime(cycle.cycle)} `, statusBadge(cycle.status), ' ', h('a', { href: `#/sites/${encodeURIComponent(cycle.siteId)}` }, 'All runs')),
    degraded.length > 0 &&
      h(
        'div',
        { class: 'degraded-banner', role: 'note' },
        h('p', { class: 'degraded' }, `Degraded: ${degraded.join(', ')} fell back or was left out.`),
        reasons.length > 0 && h('ul', {}, reasons.map((m) => h('li', {}, m))),
      ),
    h('h2', {}, 'Alerts'),
    alerts.length === 0 ? h('p', { class: 'muted' }, 'No threshold reached.') : h('ul', { class: 'alerts' }, alerts.map((a) => h('li', {}, alertText(a, stations)))),
  );
}
