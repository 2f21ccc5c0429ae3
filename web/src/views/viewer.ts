/**
 * The forecast viewer of one completed cycle: a variable drawn on the mesh
 * at the slider's time (or its maximum over the forecast), with arrows of
 * the waves' direction over the wave fields, the flood extent, the value
 * under the cursor, station charts and the cycle's downloads.
 *
 * Every frame switch is measured in the browser: a 'coastcast:frame-start'
 * mark before the frame is looked up or fetched, a 'coastcast:frame' measure
 * once the field layer and the arrows have drawn it; the view's element
 * carries data-frame and data-variable of what is on screen, for tests to
 * wait on.
 */
import type L from 'leaflet';

import { api } from '../api/client';
import type { AppConfig, CycleSummary, CycleView, Download, FrameIndex, SiteView, StationsProduct } from '../api/types';
import { createMap } from '../map/baseMap';
import { colormapFor, niceRange } from '../map/colormap';
import { coastlineLayer } from '../map/coastline';
import { DirectionArrows } from '../map/directionArrows';
import { FieldLayer } from '../map/fieldLayer';
import { Legend } from '../map/legend';
import { FrameStore } from '../products/frames';
import { ProductCache } from '../products/productCache';
import { parseMesh, type ProductMesh } from '../products/mesh';
import type { View } from '../router';
import { formatTime, h } from '../ui/dom';
import { statusBadge } from './cycleStatus';
import { cycleHeader } from './viewer/cycleHeader';
import { CursorValue } from './viewer/cursorValue';
import { downloadsList } from './viewer/downloads';
import { FloodOverlay } from './viewer/floodOverlay';
import { StationChart } from './viewer/stationChart';
import { stationList, stationMarkers, type MeshStation } from './viewer/stations';
import { TimeControl } from './viewer/timeControl';
import './viewer/viewer.css';

/** The variables the viewer knows how to name, in the order the select offers them. */
const VARIABLE_TITLES: Record<string, string> = {
  elevation: 'Water level',
  speed: 'Current speed',
  inundationDepth: 'Flood depth',
  sigWaveHeight: 'Wave height',
  peakPeriod: 'Wave peak period',
};

/** Fields drawn with the waves' direction over them. */
const WAVE_FIELDS: ReadonlySet<string> = new Set(['sigWaveHeight', 'peakPeriod']);

const isDirection = (variable: FrameIndex['variables'][number]) => variable.kind === 'direction';

/** Frames fetched ahead of the slider: a second and a half of playing. */
const PREFETCH_FRAMES = 6;

const displayUnits = (units: string) => (units === 'm s-1' ? 'm/s' : units);

interface CycleProducts {
  site: SiteView;
  summary: CycleSummary;
  index: FrameIndex;
  mesh: ProductMesh;
  stations: StationsProduct;
  /** The list, or why it could not be read: the viewer works without it. */
  downloads: Download[] | Error;
  /** Where the frames and flood extents come from. */
  files: ProductCache;
}

async function loadProducts(siteId: string, cycle: string, products: ProductCache): Promise<CycleProducts> {
  const json = <T>(path: string) => products.get(path, (response) => response.json() as Promise<T>);
  const [site, summary, index, mesh, stations, downloads] = await Promise.all([
    api.site(siteId),
    json<CycleSummary>('summary.json'),
    json<FrameIndex>('frames/index.json'),
    products.get('mesh.bin', async (response) => parseMesh(await response.arrayBuffer())),
    json<StationsProduct>('stations.json'),
    api.downloads(siteId, cycle).catch((error: Error) => error),
  ]);
  return { site, summary, index, mesh, stations, downloads, files: products };
}

function notCompleted(cycle: CycleView): View {
  const runs = `#/sites/${encodeURIComponent(cycle.siteId)}`;
  return {
    element: h(
      'section',
      { class: 'page message' },
      h('h1', {}, `Forecast of ${formatTime(cycle.cycle)}`),
      h('p', {}, 'This cycle is ', statusBadge(cycle.status), ': its maps are shown once it completes.'),
      cycle.error && h('p', { class: 'problems' }, cycle.error),
      h('p', {}, h('a', { href: runs }, 'Runs of this site')),
    ),
  };
}

export async function forecastViewer(config: AppConfig, siteId: string, cycleTime: string): Promise<View> {
  const cycle = cycleTime === 'latest' ? await api.latest(siteId) : await api.cycle(siteId, cycleTime);
  if (cycle.status !== 'completed') return notCompleted(cycle);
  const products = await loadProducts(siteId, cycle.cycle, new ProductCache((path) => api.productUrl(siteId, cycle.cycle, path)));
  return new ForecastViewer(config, cycle, products);
}

class ForecastViewer implements View {
  readonly element: HTMLElement;
  private readonly map: L.Map;
  private readonly store: FrameStore;
  private readonly field: FieldLayer;
  private readonly arrows: DirectionArrows;
  /** The products' direction variable (meanWaveDirection), when the cycle ran with waves. */
  private readonly direction: string | undefined;
  private readonly legend = new Legend();
  private readonly cursor: CursorValue;
  private readonly time: TimeControl;
  private readonly flood: FloodOverlay;
  private readonly chart: StationChart;
  private readonly error = h('p', { class: 'problems', role: 'alert', hidden: true });
  private readonly resize: ResizeObserver;
  private variable: string;
  private showingMax = false;
  /** Counts frame switches, so a frame that arrives after a later switch is dropped. */
  private switches = 0;
  /** The station button that opened the chart, to give focus back to on close. */
  private chartOpener: HTMLElement | null = null;

  constructor(
    config: AppConfig,
    cycle: CycleView,
    private readonly products: CycleProducts,
  ) {
    const { site, summary, index, mesh, stations } = products;
    this.store = new FrameStore(index, products.files);
    const variables = index.variables.filter((v) => v.name in VARIABLE_TITLES && !isDirection(v));
    this.variable = variables[0]?.name ?? 'elevation';
    this.direction = index.variables.find(isDirection)?.name;

    const mapElement = h('div', { class: 'map viewer-map', 'data-testid': 'forecast-map', role: 'region', 'aria-label': 'Forecast map' });
    this.map = createMap(mapElement, config);
    const coastline = coastlineLayer(mesh);
    this.field = new FieldLayer(mesh, { colormap: colormapFor(this.variable), range: this.range(), opacity: 0.9 });
    this.field.addTo(this.map);
    this.arrows = new DirectionArrows(mesh);
    this.arrows.addTo(this.map);
    coastline.addTo(this.map);
    this.legend.addTo(this.map);
    this.cursor = new CursorValue(
      (latlng) => this.field.valueAt(latlng),
      () => displayUnits(this.store.variable(this.variable).units),
      (latlng) => this.arrows.directionAt(latlng),
    );
    this.cursor.addTo(this.map);

    const meshStations = stations.stations.filter((s): s is MeshStation => s.inMesh);
    stationMarkers(meshStations, (station) => this.openStation(station, null)).addTo(this.map);

    this.chart = new StationChart(cycle.siteId, cycle.cycle, () => this.closeStation());
    this.time = new TimeControl(index.times, cycle.cycle, () => this.frameChanged());
    this.flood = new FloodOverlay(this.map, products.files, (error) => this.showError(error));

    const select = h(
      'select',
      { id: 'viewer-variable', 'data-testid': 'variable-select', onchange: (event: Event) => this.setVariable((event.target as HTMLSelectElement).value) },
      variables.map((v) => h('option', { value: v.name }, VARIABLE_TITLES[v.name])),
    );
    const maxToggle = h('input', { type: 'checkbox', id: 'viewer-max', 'data-testid': 'max-toggle', onchange: (event: Event) => this.setMax((event.target as HTMLInputElement).checked) });

    const panel = h(
      'aside',
      { class: 'viewer-panel', 'aria-label': 'Forecast' },
      cycleHeader(site.config.name, cycle, summary, site.config.stations),
      this.error,
      h(
        'section',
        { 'aria-labelledby': 'viewer-map-title' },
        h('h2', { id: 'viewer-map-title' }, 'Map'),
        h('label', { for: 'viewer-variable' }, 'Variable'),
        select,
        this.time.element,
        h('div', { class: 'toggle' }, maxToggle, h('label', { for: 'viewer-max' }, 'Maximum over the forecast')),
        this.flood.element,
        this.flood.area,
      ),
      h('section', { 'aria-labelledby': 'viewer-stations-title' }, h('h2', { id: 'viewer-stations-title' }, 'Stations'), stationList(stations.stations, (station, button) => this.openStation(station, button))),
      h(
        'section',
        { 'aria-labelledby': 'viewer-downloads-title' },
        h('h2', { id: 'viewer-downloads-title' }, 'Downloads'),
        products.downloads instanceof Error ? h('p', { class: 'problems', 'data-testid': 'downloads' }, products.downloads.message) : downloadsList(products.downloads),
      ),
    );
    this.element = h('section', { class: 'viewer', 'data-testid': 'forecast-viewer' }, h('div', { class: 'viewer-map-area' }, mapElement, this.chart.element), panel);

    // The map gets its size once the router puts the view in the page, and again whenever the layout changes.
    let fitted = false;
    this.resize = new ResizeObserver(() => {
      if (mapElement.clientWidth === 0 || mapElement.clientHeight === 0) return;
      this.map.invalidateSize();
      if (!fitted) this.map.fitBounds(coastline.getBounds(), { padding: [16, 16] });
      fitted = true;
    });
    this.resize.observe(mapElement);

    this.updateLegend();
    void this.showFrame();
  }

  dispose(): void {
    this.time.pause();
    this.resize.disconnect();
    this.chart.dispose();
    this.map.remove();
  }

  private range(): { min: number; max: number } {
    const { min, max } = this.store.variable(this.variable);
    return niceRange(min ?? NaN, max ?? NaN, this.variable);
  }

  private updateLegend(): void {
    const variable = this.store.variable(this.variable);
    const title = `${VARIABLE_TITLES[this.variable]}${this.showingMax ? ', maximum' : ''}`;
    const note = this.directionShown() ? 'Arrows: where the waves go' : undefined;
    this.legend.setField({ title, units: displayUnits(variable.units), range: this.range(), colormap: colormapFor(this.variable), note });
  }

  /** The direction variable, when arrows go over the field now: a wave field at one time (a maximum has no direction). */
  private directionShown(): string | undefined {
    return WAVE_FIELDS.has(this.variable) && !this.showingMax ? this.direction : undefined;
  }

  private setVariable(name: string): void {
    this.variable = name;
    this.field.setColormap(colormapFor(name));
    this.field.setRange(this.range());
    this.updateLegend();
    void this.showFrame();
  }

  private setMax(on: boolean): void {
    this.showingMax = on;
    this.time.setDisabled(on);
    this.updateLegend();
    this.frameChanged();
  }

  private frameChanged(): void {
    const index = this.showingMax ? null : this.time.index;
    void this.showFrame();
    void this.flood.show(index);
    if (this.chart.stationId !== null) this.chart.setMarker(index);
  }

  private async showFrame(): Promise<void> {
    const switchNumber = ++this.switches;
    const { variable, showingMax } = this;
    const direction = this.directionShown();
    const index = this.time.index;
    performance.mark('coastcast:frame-start');
    let values: Float32Array;
    let directions: Float32Array | null;
    try {
      [values, directions] = await Promise.all([
        showingMax ? this.store.max(variable) : this.store.frame(variable, index),
        direction ? this.store.frame(direction, index) : null,
      ]);
    } catch (error) {
      if (switchNumber === this.switches) this.showError(error as Error);
      return;
    }
    if (switchNumber !== this.switches) return;
    this.field.setValues(values);
    this.arrows.setDirections(directions);
    performance.measure('coastcast:frame', 'coastcast:frame-start');
    this.error.hidden = true;
    Object.assign(this.element.dataset, { frame: String(index), variable, max: String(showingMax) });
    this.cursor.refresh();
    if (showingMax) return;
    this.store.prefetch(variable, index, PREFETCH_FRAMES);
    if (direction) this.store.prefetch(direction, index, PREFETCH_FRAMES);
  }

  private openStation(station: MeshStation, opener: HTMLElement | null): void {
    this.chartOpener = opener;
    const { stationLevel = [], waveHeight = [] } = this.products.site.config.thresholds;
    const thresholds = { level: stationLevel.filter((t) => t.stationId === station.id), waveHeight: waveHeight.filter((t) => t.stationId === station.id) };
    this.chart.open(station, this.products.stations.times, thresholds, this.showingMax ? null : this.time.index);
  }

  private closeStation(): void {
    this.chart.close();
    (this.chartOpener ?? this.map.getContainer()).focus();
    this.chartOpener = null;
  }

  private showError(error: Error): void {
    this.error.textContent = error.message;
    this.error.hidden = false;
  }
}
