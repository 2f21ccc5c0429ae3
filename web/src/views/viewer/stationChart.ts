/**
 * A station's forecast water level as a uPlot chart, with the site's level
 * thresholds for that station as labelled horizontal lines and the slider's
 * time as a vertical line. When the cycle ran with waves, the significant
 * wave height is a series of its own on a right-hand axis, with the
 * station's wave-height thresholds as lines labelled on that side. Observed
 * water levels over the forecast, when the station has some, are another
 * series, and the cycle's skill at the station per lead-time day a table
 * under the chart. Times are shown in UTC,
 * like the rest of the viewer. One chart is open at a time; the panel hides
 * when it closes.
 */
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';

import { api } from '../../api/client';
import type { CycleSkill, StationLevelThreshold, StationObservations, StationWaves, WaveHeightThreshold } from '../../api/types';
import { formatNumber, formatTime, h, replaceChildren } from '../../ui/dom';
import { skillTable } from './skillTable';

export interface StationSeries extends Partial<Pick<StationWaves, 'sigWaveHeight' | 'maxWaveHeight' | 'maxWaveHeightAt'>> {
  id: string;
  name: string;
  elevation: (number | null)[];
  maxLevel: number | null;
  maxLevelAt: string | null;
}

/** The site's thresholds at one station. */
export interface StationThresholds {
  level: readonly StationLevelThreshold[];
  waveHeight: readonly WaveHeightThreshold[];
}

// Canvas colours: the stylesheet's --accent, --bad and --ink (uPlot draws on a canvas, which cannot read CSS variables).
const SERIES_COLOUR = '#0b5c8e';
const OBSERVED_COLOUR = '#b35c00';
const THRESHOLD_COLOUR = '#a3192b';
// A violet apart from the level's blue and the thresholds' red; its thresholds share it, so each line reads with its own axis.
const WAVE_COLOUR = '#6a2c91';
const MARKER_COLOUR = '#14212b';
const LABEL_BACKING = 'rgba(255, 255, 255, 0.85)';
const CHART_HEIGHT = 220;

export class StationChart {
  readonly element: HTMLElement;
  private readonly heading: HTMLElement;
  private readonly facts: HTMLElement;
  private readonly plotHolder: HTMLElement;
  private readonly skillHolder: HTMLElement;
  private readonly resize = new ResizeObserver(() => this.plot?.setSize({ width: this.plotWidth(), height: CHART_HEIGHT }));
  private plot: uPlot | undefined;
  /** Output index of the vertical marker; null while the maximum envelope shows. */
  private marker: number | null = null;
  private times: readonly string[] = [];
  /** Fetched once, when the first chart opens: the skill of every station of the cycle. */
  private skill: Promise<CycleSkill> | undefined;

  stationId: string | null = null;

  constructor(
    private readonly siteId: string,
    private readonly cycle: string,
    onClose: () => void,
  ) {
    this.heading = h('h2', { id: 'station-chart-title', tabindex: -1 });
    this.facts = h('p', { class: 'muted station-facts' });
    this.plotHolder = h('div', { class: 'station-plot' });
    this.skillHolder = h('div');
    const close = h('button', { type: 'button', class: 'close', 'aria-label': 'Close the station chart', onclick: onClose }, '×');
    this.element = h(
      'section',
      { class: 'station-chart', 'data-testid': 'station-chart', 'aria-labelledby': 'station-chart-title', hidden: true, onkeydown: (event: KeyboardEvent) => event.key === 'Escape' && onClose() },
      h('div', { class: 'station-chart-head' }, this.heading, close),
      this.facts,
      this.plotHolder,
      this.skillHolder,
    );
    this.resize.observe(this.plotHolder);
  }

  open(station: StationSeries, times: readonly string[], thresholds: StationThresholds, marker: number | null): void {
    this.stationId = station.id;
    this.times = times;
    this.marker = marker;
    this.element.hidden = false;
    this.heading.textContent = `${station.name} (${station.id})`;
    this.facts.textContent = stationFacts(station);
    replaceChildren(this.skillHolder);
    this.draw(station, thresholds);
    this.heading.focus();
    void this.addObservations(station, thresholds);
  }

  /** The forecast, and the observations as a second series on the union of both series' times. */
  private draw(station: StationSeries, thresholds: StationThresholds, observed?: StationObservations): void {
    this.plot?.destroy();
    replaceChildren(this.plotHolder);
    const levels = thresholds.level.map((t) => t.level);
    const forecast = new Map(this.times.map((t, k) => [Date.parse(t) / 1000, station.elevation[k]]));
    const waves = station.sigWaveHeight && new Map(this.times.map((t, k) => [Date.parse(t) / 1000, station.sigWaveHeight![k]]));
    const observations = new Map(observed?.times.map((t, k) => [Date.parse(t) / 1000, observed.water_level_m[k]]));
    // undefined where a series has no value at the other's time: uPlot joins its line over those, and breaks it at null (dry, missing).
    const seconds = [...new Set([...forecast.keys(), ...observations.keys()])].sort((a, b) => a - b);
    const formatMetres = (missing: string) => (_u: uPlot, v: number | null | undefined, _s: number, i: number | null) =>
      i === null || v === undefined ? '–' : v === null ? missing : `${formatNumber(v)} m`;
    const series: uPlot.Series[] = [
      { label: 'Time', value: (_u, s) => (s === null ? '–' : formatTime(new Date(s * 1000).toISOString())) },
      { label: 'Water level', stroke: SERIES_COLOUR, width: 2, value: formatMetres('dry') },
    ];
    const data: uPlot.AlignedData = [seconds, seconds.map((s) => forecast.get(s))];
    const axes: uPlot.Axis[] = [{ values: (_u, splits) => splits.map(utcTick) }, { label: 'Water level (m)' }];
    const scales: uPlot.Scales = { x: { time: true }, y: { range: (_u, min, max) => levelRange(min, max, levels) } };
    if (observed) {
      series.push({ label: 'Observed', stroke: OBSERVED_COLOUR, width: 1, points: { show: true, size: 4, fill: OBSERVED_COLOUR }, value: formatMetres('missing') });
      data.push(seconds.map((s) => observations.get(s)));
    }
    if (waves) {
      const heights = thresholds.waveHeight.map((t) => t.height);
      series.push({ label: 'Wave height Hs', scale: 'hs', stroke: WAVE_COLOUR, width: 2, value: formatMetres('dry') });
      data.push(seconds.map((s) => waves.get(s)));
      scales.hs = { range: (_u, _min, max) => waveRange(max, heights) };
      axes.push({ scale: 'hs', side: 1, label: 'Wave height Hs (m)', stroke: WAVE_COLOUR, grid: { show: false } });
    }
    this.plot = new uPlot(
      {
        width: this.plotWidth(),
        height: CHART_HEIGHT,
        tzDate: (s) => uPlot.tzDate(new Date(s * 1000), 'Etc/UTC'),
        scales,
        series,
        axes,
        hooks: { draw: [(u) => this.drawOverlay(u, thresholds)] },
      },
      data,
      this.plotHolder,
    );
  }

  /** Adds the station's observations over the forecast and its skill table, if the chart still shows the station when they arrive. */
  private async addObservations(station: StationSeries, thresholds: StationThresholds): Promise<void> {
    const times = this.times;
    if (times.length === 0) return;
    this.skill ??= api.skill(this.siteId, this.cycle);
    const stillOpen = () => this.stationId === station.id && this.times === times;
    try {
      const [observed, skill] = await Promise.all([api.observations(this.siteId, station.id, times[0], times[times.length - 1]), this.skill]);
      if (!stillOpen()) return;
      if (observed.water_level_m.some((v) => v !== null)) this.draw(station, thresholds, observed);
      const stationSkill = skill.stations.find((s) => s.stationId === station.id);
      replaceChildren(this.skillHolder, stationSkill && skillTable(stationSkill));
    } catch (error) {
      // The forecast stands without them; a failed skill request is asked again at the next opening.
      this.skill = undefined;
      if (stillOpen()) replaceChildren(this.skillHolder, h('p', { class: 'muted' }, `Observations unavailable: ${(error as Error).message}`));
    }
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

  private drawOverlay(u: uPlot, thresholds: StationThresholds): void {
    const { ctx, bbox } = u;
    const ratio = uPlot.pxRatio;
    ctx.save();
    ctx.lineWidth = ratio;
    ctx.font = `${12 * ratio}px system-ui, sans-serif`;
    ctx.textBaseline = 'bottom';
    ctx.setLineDash([6 * ratio, 4 * ratio]);
    const line = (y: number, label: string, colour: string, side: 'left' | 'right') => {
      ctx.strokeStyle = colour;
      ctx.textAlign = side;
      ctx.beginPath();
      ctx.moveTo(bbox.left, y);
      ctx.lineTo(bbox.left + bbox.width, y);
      ctx.stroke();
      const x = side === 'left' ? bbox.left + 4 * ratio : bbox.left + bbox.width - 8 * ratio;
      const width = ctx.measureText(label).width;
      // A light backing keeps the label readable where a series or the other kind of line crosses it.
      ctx.fillStyle = LABEL_BACKING;
      ctx.fillRect(side === 'left' ? x - 2 * ratio : x - width - 2 * ratio, y - 16 * ratio, width + 4 * ratio, 14 * ratio);
      ctx.fillStyle = colour;
      ctx.fillText(label, x, y - 2 * ratio);
    };
    for (const threshold of thresholds.level) line(Math.round(u.valToPos(threshold.level, 'y', true)), `${threshold.name} (${formatNumber(threshold.level)} m)`, THRESHOLD_COLOUR, 'left');
    // Wave-height lines only with the wave axis to place them on; labelled on its side.
    if (u.scales.hs) {
      for (const threshold of thresholds.waveHeight) line(Math.round(u.valToPos(threshold.height, 'hs', true)), `${threshold.name} (Hs ${formatNumber(threshold.height)} m)`, WAVE_COLOUR, 'right');
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

/** What the chart's heading line says: the highest water level and, with waves, the highest wave height. */
function stationFacts(station: StationSeries): string {
  const level = station.maxLevel === null ? 'Dry over the whole forecast.' : `Highest water level ${formatNumber(station.maxLevel)} m at ${formatTime(station.maxLevelAt)}.`;
  if (station.maxWaveHeight === undefined) return level;
  const waves = station.maxWaveHeight === null ? 'No wave height (dry).' : `Highest wave height ${formatNumber(station.maxWaveHeight)} m at ${formatTime(station.maxWaveHeightAt)}.`;
  return `${level} ${waves}`;
}

/** The wave axis: from calm water (0) to above the highest wave and every threshold. */
function waveRange(max: number | null, heights: readonly number[]): [number, number] {
  const high = Math.max(0, ...heights, ...(max !== null && Number.isFinite(max) ? [max] : []));
  return [0, high > 0 ? high * 1.15 : 1];
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
