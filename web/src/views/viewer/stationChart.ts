/**
 * A station's forecast water level as a uPlot chart, with the site's level
 * thresholds for that station as labelled horizontal lines and the slider's
 * time as a vertical line. Times are shown in UTC, like the rest of the
 * viewer. One chart is open at a time; the panel hides when it closes.
 */
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';

import type { StationLevelThreshold } from '../../api/types';
import { formatNumber, formatTime, h, replaceChildren } from '../../ui/dom';

export interface StationSeries {
  id: string;
  name: string;
  elevation: (number | null)[];
  maxLevel: number | null;
  maxLevelAt: string | null;
}

// Canvas colours: the stylesheet's --accent, --bad and --ink (uPlot draws on a canvas, which cannot read CSS variables).
const SERIES_COLOUR = '#0b5c8e';
const THRESHOLD_COLOUR = '#a3192b';
const MARKER_COLOUR = '#14212b';
const CHART_HEIGHT = 220;

export class StationChart {
  readonly element: HTMLElement;
  private readonly heading: HTMLElement;
  private readonly facts: HTMLElement;
  private readonly plotHolder: HTMLElement;
  private readonly resize = new ResizeObserver(() => this.plot?.setSize({ width: this.plotWidth(), height: CHART_HEIGHT }));
  private plot: uPlot | undefined;
  /** Output index of the vertical marker; null while the maximum envelope shows. */
  private marker: number | null = null;
  private times: readonly string[] = [];

  stationId: string | null = null;

  constructor(onClose: () => void) {
    this.heading = h('h2', { id: 'station-chart-title', tabindex: -1 });
    this.facts = h('p', { class: 'muted station-facts' });
    this.plotHolder = h('div', { class: 'station-plot' });
    const close = h('button', { type: 'button', class: 'close', 'aria-label': 'Close the station chart', onclick: onClose }, '×');
    this.element = h(
      'section',
      { class: 'station-chart', 'data-testid': 'station-chart', 'aria-labelledby': 'station-chart-title', hidden: true, onkeydown: (event: KeyboardEvent) => event.key === 'Escape' && onClose() },
      h('div', { class: 'station-chart-head' }, this.heading, close),
      this.facts,
      this.plotHolder,
    );
    this.resize.observe(this.plotHolder);
  }

  open(station: StationSeries, times: readonly string[], thresholds: readonly StationLevelThreshold[], marker: number | null): void {
    this.plot?.destroy();
    this.stationId = station.id;
    this.times = times;
    this.marker = marker;
    this.element.hidden = false;
    this.heading.textContent = `${station.name} (${station.id})`;
    this.facts.textContent =
      station.maxLevel === null ? 'Dry over the whole forecast.' : `Highest water level ${formatNumber(station.maxLevel)} m at ${formatTime(station.maxLevelAt)}.`;
    replaceChildren(this.plotHolder);
    const levels = thresholds.map((t) => t.level);
    this.plot = new uPlot(
      {
        width: this.plotWidth(),
        height: CHART_HEIGHT,
        tzDate: (seconds) => uPlot.tzDate(new Date(seconds * 1000), 'Etc/UTC'),
        scales: { x: { time: true }, y: { range: (_u, min, max) => levelRange(min, max, levels) } },
        series: [
          { label: 'Time', value: (_u, seconds) => (seconds === null ? '–' : formatTime(new Date(seconds * 1000).toISOString())) },
          { label: 'Water level', stroke: SERIES_COLOUR, width: 2, value: (_u, v, _s, i) => (i === null ? '–' : v === null ? 'dry' : `${formatNumber(v)} m`) },
        ],
        axes: [{ values: (_u, splits) => splits.map(utcTick) }, { label: 'Water level (m)' }],
        hooks: { draw: [(u) => this.drawOverlay(u, thresholds)] },
      },
      [times.map((t) => Date.parse(t) / 1000), station.elevation],
      this.plotHolder,
    );
    this.heading.focus();
  }

  setMarker(index: number | null): void {
    this.marker = index;
    this.plot?.redraw(false, false);
  }

  close(): void {
    this.plot?.destroy();
    this.plot = undefined;
    this.stationId = null;
    this.element.hidden = true;
  }

  dispose(): void {
    this.resize.disconnect();
    this.close();
  }

  private plotWidth(): number {
    return Math.max(240, this.plotHolder.clientWidth);
  }

  private drawOverlay(u: uPlot, thresholds: readonly StationLevelThreshold[]): void {
    const { ctx, bbox } = u;
    const ratio = uPlot.pxRatio;
    ctx.save();
    ctx.lineWidth = ratio;
    ctx.font = `${12 * ratio}px system-ui, sans-serif`;
    ctx.textAlign = 'left';
    ctx.textBaseline = 'bottom';
    ctx.setLineDash([6 * ratio, 4 * ratio]);
    ctx.strokeStyle = THRESHOLD_COLOUR;
    ctx.fillStyle = THRESHOLD_COLOUR;
    for (const threshold of thresholds) {
      const y = Math.round(u.valToPos(threshold.level, 'y', true));
      ctx.beginPath();
      ctx.moveTo(bbox.left, y);
      ctx.lineTo(bbox.left + bbox.width, y);
      ctx.stroke();
      ctx.fillText(`${threshold.name} (${formatNumber(threshold.level)} m)`, bbox.left + 4 * ratio, y - 2 * ratio);
    }
    if (this.marker !== null && this.times[this.marker]) {
      const x = Math.round(u.valToPos(Date.parse(this.times[this.marker]) / 1000, 'x', true));
      ctx.setLineDash([]);
      ctx.strokeStyle = MARKER_COLOUR;
      ctx.lineWidth = 2 * ratio;
      ctx.beginPath();
      ctx.moveTo(x, bbox.top);
      ctx.lineTo(x, bbox.top + bbox.height);
      ctx.stroke();
    }
    ctx.restore();
  }
}

/** A time axis tick in UTC: the date at midnight, the hour otherwise. */
function utcTick(seconds: number): string {
  const iso = new Date(seconds * 1000).toISOString();
  return iso.slice(11, 16) === '00:00' ? iso.slice(5, 10) : iso.slice(11, 16);
}

/** The y range: the series and every threshold, so a threshold far above the forecast still shows how far away it is. */
function levelRange(min: number | null, max: number | null, levels: readonly number[]): [number, number] {
  const values = [...levels, ...[min, max].filter((v): v is number => v !== null && Number.isFinite(v))];
  if (values.length === 0) return [-1, 1];
  const low = Math.min(...values);
  const high = Math.max(...values);
  const pad = Math.max(0.1, 0.08 * (high - low));
  return [low - pad, high + pad];
}
