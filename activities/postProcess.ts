/**
 * Post-processing of a forecast run: the model output of `<run>/outputs/`
 * becomes the products the web app and the API serve, under `<run>/products/`
 * (layouts in activities/products/*.ts and activities/flood/geojson.ts):
 *
 *   mesh.bin                         the mesh in lon/lat
 *   frames/index.json                times, variables, colour-scale ranges
 *   frames/<variable>/<index>.bin    elevation, speed, inundationDepth per output time, and
 *                                    sigWaveHeight, peakPeriod, meanWaveDirection with waves
 *   max/<variable>.bin               their maximum envelopes over the forecast (not of the direction)
 *   stations.json                    series at the site's stations
 *   flood/<index>.geojson            flooded land per output time
 *   flood/max.geojson                land flooded at any time of the forecast
 *
 * Products cover the forecast only: output times at or after the cycle time,
 * index 0 being the first of them; spin-up output before it is left out.
 * Frames are read and written one at a time, so memory holds a few node
 * fields whatever the forecast length. Everything is written to
 * `products.partial/` and renamed into place at the end (see productFiles.ts).
 *
 * Wave products exist only when the out2d files carry the wave fields; wave
 * directions in every product are relative to true north (products/waves.ts).
 */
import { performance } from 'node:perf_hooks';

import { meshCrs, meshToLonLat } from '../core/crs.js';
import type { Site } from '../core/site.js';
import { evaluateAlerts, PolygonFloodAreas, type Alert } from './alerts.js';
import { DEFAULT_MIN_FLOOD_DEPTH_M, FloodDetector } from './flood/detect.js';
import { floodGeoJson } from './flood/geojson.js';
import { MeshTopology, tracePolygons } from './flood/rings.js';
import { FRAME_INDEX_PATH, FrameStatistics, frameOf, framePath, frameValues, frameVariables, maxPath } from './products/frames.js';
import { encodeMesh } from './products/mesh.js';
import { openModelOutput } from './products/modelOutput.js';
import { float32LittleEndian, ProductFiles } from './products/productFiles.js';
import { locateStations, peak, StationRecorder, stationsProduct } from './products/stations.js';
import { gridNorthBearings, wavesToTrueNorth } from './products/waves.js';

export interface PostProcessRequest {
  runDir: string;
  site: Pick<Site, 'coordinates' | 'stations' | 'thresholds'>;
  /** The cycle time (a Date or ISO 8601 string): the forecast starts at the first output at or after it. */
  cycle: Date | string;
  /** Water depth (m) a land node needs to count as flooded; default DEFAULT_MIN_FLOOD_DEPTH_M (0.05). */
  minFloodDepth?: number;
  /** Called after each output time is processed, e.g. to heartbeat. */
  onProgress?: (done: number, total: number) => void;
}

export interface StationSummary {
  id: string;
  name: string;
  inMesh: boolean;
  maxLevel: number | null;
  maxLevelAt: string | null;
  /** The highest significant wave height and its first time; null without waves. */
  maxWaveHeight: number | null;
  maxWaveHeightAt: string | null;
  /** Why a station has no series (outside the mesh). */
  problem?: string;
}

export interface FloodStatistics {
  time: string;
  areaKm2: number;
  maxDepthM: number | null;
}

export interface ProductsSummary {
  cycle: string;
  /** Forecast output times, ISO UTC: the frames' indices. */
  times: string[];
  stations: StationSummary[];
  flood: {
    minDepthM: number;
    perTime: FloodStatistics[];
    /** Land flooded at any time: area of the union of flooded triangles, deepest water over the forecast. */
    max: { areaKm2: number; maxDepthM: number | null };
  };
  alerts: Alert[];
  /** Every file written, relative to `<run>/products/`. */
  products: string[];
  /** Wall-clock milliseconds per stage. */
  timings: { read: number; frames: number; stations: number; flood: number; write: number; total: number };
}

function cycleDate(cycle: Date | string): Date {
  const date = cycle instanceof Date ? cycle : new Date(cycle);
  if (Number.isNaN(date.getTime())) throw new Error(`cycle "${String(cycle)}" is not a date (ISO 8601 expected)`);
  return date;
}

export async function postProcess(request: PostProcessRequest): Promise<ProductsSummary> {
  const started = performance.now();
  const timings = { read: 0, frames: 0, stations: 0, flood: 0, write: 0, total: 0 };
  const timed = async <T>(stage: keyof typeof timings, work: () => T | Promise<T>): Promise<T> => {
    const t0 = performance.now();
    try {
      return await work();
    } finally {
      timings[stage] += performance.now() - t0;
    }
  };
  const { runDir, site } = request;
  const cycle = cycleDate(request.cycle);
  const crs = meshCrs(site.coordinates);
  const output = await timed('read', () => openModelOutput(runDir, cycle));
  try {
    const expected = crs.ics === 2 ? 'lonlat' : 'metres';
    if (output.coordinates !== expected) {
      throw new Error(`${runDir}/outputs: the mesh coordinates are in ${output.coordinates === 'lonlat' ? 'degrees' : 'metres'}, but the site places its mesh in ${crs.name} (ics ${crs.ics})`);
    }
    const { mesh } = output;
    const times = output.times.map((t) => t.toISOString());
    const { lon, lat } = meshToLonLat(crs, mesh.x, mesh.y);
    const detector = new FloodDetector(mesh, crs.ics, request.minFloodDepth ?? DEFAULT_MIN_FLOOD_DEPTH_M);
    const topology = new MeshTopology(mesh.triangles, mesh.x.length);
    const recorder = new StationRecorder(locateStations(site.stations, mesh, crs), output.waves);
    const statistics = new FrameStatistics(mesh.x.length, frameVariables(output.waves));
    const gridNorth = output.waves ? gridNorthBearings(crs, lon, lat) : undefined;
    const everFlooded = new Uint8Array(mesh.triangles.length / 3);
    const polygonFlood = new PolygonFloodAreas(site.thresholds.floodedPolygons ?? [], lon, lat, mesh.triangles, detector.areas);
    const perTime: FloodStatistics[] = [];

    const files = await ProductFiles.start(runDir);
    try {
      await timed('write', () => files.write('mesh.bin', encodeMesh(lon, lat, mesh)));
      for (let index = 0; index < times.length; index++) {
        const fields = await timed('read', async () => wavesToTrueNorth(await output.read(index), gridNorth));
        const flood = await timed('flood', () => detector.detect(fields));
        const frame = await timed('frames', () => {
          const frame = frameOf(fields, flood.waterDepth);
          statistics.add(frame);
          return frame;
        });
        for (const variable of statistics.variables) await timed('write', () => files.write(framePath(variable, index), float32LittleEndian(frameValues(frame, variable))));
        await timed('stations', () => recorder.add(fields));
        const geojson = await timed('flood', () => {
          for (let t = 0; t < everFlooded.length; t++) everFlooded[t] |= flood.triangles[t];
          polygonFlood.add(flood.triangles);
          perTime.push({ time: times[index], areaKm2: flood.areaKm2, maxDepthM: flood.maxDepthM });
          const polygons = tracePolygons(topology, flood.triangles, mesh.x, mesh.y);
          return floodGeoJson(polygons, lon, lat, { time: times[index], floodedAreaKm2: flood.areaKm2, maxDepthM: flood.maxDepthM, minDepthM: detector.minDepth });
        });
        await timed('write', () => files.writeJson(`flood/${index}.geojson`, geojson));
        request.onProgress?.(index + 1, times.length);
      }

      const depths = perTime.flatMap((s) => (s.maxDepthM === null ? [] : [s.maxDepthM]));
      const max = { areaKm2: detector.areaKm2(everFlooded), maxDepthM: depths.length ? Math.max(...depths) : null };
      const maxGeojson = await timed('flood', () =>
        floodGeoJson(tracePolygons(topology, everFlooded, mesh.x, mesh.y), lon, lat, {
          time: `${times[0]}/${times[times.length - 1]}`,
          floodedAreaKm2: max.areaKm2,
          maxDepthM: max.maxDepthM,
          minDepthM: detector.minDepth,
        }),
      );
      await timed('write', async () => {
        await files.writeJson('flood/max.geojson', maxGeojson);
        for (const [variable, envelope] of statistics.envelopes) await files.write(maxPath(variable), float32LittleEndian(envelope));
        await files.writeJson(FRAME_INDEX_PATH, statistics.index(times));
        await files.writeJson('stations.json', stationsProduct(recorder.series, times));
      });

      const inMesh = recorder.series.filter((s) => s.located.inMesh);
      const stationLevels = new Map(inMesh.map((s) => [s.located.station.id, s.elevation]));
      const stationWaveHeights = output.waves ? new Map(inMesh.flatMap((s) => (s.waves ? [[s.located.station.id, s.waves.sigWaveHeight] as const] : []))) : undefined;
      const alerts = evaluateAlerts(site.thresholds, { times, stationLevels, stationWaveHeights, floodedAreaKm2: perTime.map((s) => s.areaKm2), polygonFloodedAreaKm2: polygonFlood.areasKm2 });
      const stations = recorder.series.map(({ located, elevation, waves }): StationSummary => {
        const { id, name } = located.station;
        if (!located.inMesh) return { id, name, inMesh: false, maxLevel: null, maxLevelAt: null, maxWaveHeight: null, maxWaveHeightAt: null, problem: located.problem };
        const top = peak(elevation, times);
        const highest = waves ? peak(waves.sigWaveHeight, times) : null;
        return { id, name, inMesh: true, maxLevel: top?.value ?? null, maxLevelAt: top?.at ?? null, maxWaveHeight: highest?.value ?? null, maxWaveHeightAt: highest?.at ?? null };
      });
      await timed('write', () => files.publish());
      timings.total = performance.now() - started;
      return { cycle: cycle.toISOString(), times, stations, flood: { minDepthM: detector.minDepth, perTime, max }, alerts, products: [...files.files], timings };
    } catch (error) {
      await files.discard();
      throw error;
    }
  } finally {
    await output.close();
  }
}
