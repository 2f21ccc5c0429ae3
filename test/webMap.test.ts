/**
 * The web map's pieces: colormaps, legend ranges, the point locator and the
 * mesh boundary; and the field layer's drawing, in headless Chromium (a page
 * built with Vite from the layer's sources): its pixels against the
 * colormap of the value under them, masking, and the WebGL1 fallback; and
 * the direction arrows: where they stand, which way they point and are
 * drawn, and how they follow the map.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { extname, join } from 'node:path';
import type { Browser } from 'playwright-core';
import { build } from 'vite';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';

import { projectRoot } from '../core/project.js';
import { COLORMAPS, colormapFor, niceRange, oklabOf, type Colormap } from '../web/src/map/colormap.js';
import { comingFrom, compassPoint, goingTo, screenHeading } from '../web/src/map/waveDirection.js';
import { boundaryChains } from '../web/src/map/coastline.js';
import { MeshLocator } from '../web/src/map/meshLocator.js';
import { launchChromium, openPage } from './support/browser.js';

// coastline.ts also builds the Leaflet layer; Leaflet needs a window, boundaryChains does not.
vi.mock('leaflet', () => ({ default: {} }));

/** OKLab lightness (0 black .. 1 white) of each LUT entry. */
function lightness(colormap: Colormap): number[] {
  return Array.from({ length: 256 }, (_, i) => oklabOf(colormap.lut[4 * i], colormap.lut[4 * i + 1], colormap.lut[4 * i + 2])[0]);
}

/** 8-bit rounding moves OKLab lightness by up to about this much. */
const ROUNDING = 0.004;

describe('colormaps', () => {
  it.each(['speed', 'depth', 'waveHeight'] as const)('%s runs monotonically in lightness over a wide span', (name) => {
    const L = lightness(COLORMAPS[name]);
    const direction = Math.sign(L[255] - L[0]);
    expect(Math.abs(L[255] - L[0])).toBeGreaterThan(0.5);
    for (let i = 1; i < 256; i++) expect(direction * (L[i] - L[i - 1])).toBeGreaterThan(-ROUNDING);
    // Not just within rounding: every 8 entries the lightness moves on.
    for (let i = 8; i < 256; i++) expect(direction * (L[i] - L[i - 8])).toBeGreaterThan(0);
  });

  it('water level is diverging: lightness symmetric about a near-white middle, blue below and red above', () => {
    const map = COLORMAPS.waterLevel;
    const L = lightness(map);
    for (let i = 0; i < 128; i++) expect(Math.abs(L[i] - L[255 - i])).toBeLessThan(2 * ROUNDING);
    for (let i = 1; i < 128; i++) expect(L[i] - L[i - 1]).toBeGreaterThan(-ROUNDING);
    for (let i = 129; i < 256; i++) expect(L[i] - L[i - 1]).toBeLessThan(ROUNDING);
    expect(L[127]).toBeGreaterThan(0.95);
    const [, a, b] = oklabOf(map.lut[4 * 127], map.lut[4 * 127 + 1], map.lut[4 * 127 + 2]);
    expect(Math.hypot(a, b)).toBeLessThan(0.02);
    const [r0, , b0] = map.lut.slice(0, 3);
    const [r1, , b1] = map.lut.slice(4 * 255, 4 * 255 + 3);
    expect(b0).toBeGreaterThan(r0);
    expect(r1).toBeGreaterThan(b1);
  });

  it.each(Object.keys(COLORMAPS) as (keyof typeof COLORMAPS)[])('%s: opaque, and css(t) is the LUT entry nearest t', (name) => {
    const map = COLORMAPS[name];
    expect(map.lut).toHaveLength(1024);
    for (let i = 0; i < 256; i++) {
      expect(map.lut[4 * i + 3]).toBe(255);
      const t = i / 255;
      expect(map.css(t)).toBe(`rgb(${map.lut[4 * i]} ${map.lut[4 * i + 1]} ${map.lut[4 * i + 2]})`);
      expect(map.css(t + 0.4 / 255)).toBe(map.css(t));
    }
    expect(map.css(-1)).toBe(map.css(0));
    expect(map.css(7)).toBe(map.css(1));
  });

  it('picks a colormap per variable', () => {
    expect(colormapFor('elevation')).toBe(COLORMAPS.waterLevel);
    expect(colormapFor('speed')).toBe(COLORMAPS.speed);
    expect(colormapFor('inundationDepth')).toBe(COLORMAPS.depth);
    expect(colormapFor('sigWaveHeight')).toBe(COLORMAPS.waveHeight);
    expect(colormapFor('peakPeriod')).toBe(COLORMAPS.speed);
  });
});

describe('niceRange', () => {
  it.each([
    // water level: symmetric about 0, ±2 nice steps
    [-0.8, 1.3, 'elevation', -1.6, 1.6],
    [-2.1, 0.4, 'elevation', -3, 3],
    [0.2, 0.2, 'elevation', -0.2, 0.2],
    [-0.0123, 0.01, 'elevation', -0.016, 0.016],
    [0, 0, 'elevation', -1, 1],
    // others: four nice steps from a multiple of the step below min
    [0, 1.3, 'speed', 0, 1.6],
    [0.05, 2.87, 'sigWaveHeight', 0, 3.2],
    [0.12, 0.37, 'inundationDepth', 0.08, 0.4],
    [0, 1, 'speed', 0, 1],
    [3, 3, 'speed', 3, 7],
    [0, 0, 'speed', 0, 1],
    [1.05, 1.95, 'speed', 1, 2],
    [Number.NaN, 2, 'speed', 2, 4],
    [Number.NaN, Number.NaN, 'speed', 0, 1],
  ] as const)('(%d, %d) for %s → %d .. %d', (min, max, variable, low, high) => {
    expect(niceRange(min, max, variable)).toEqual({ min: low, max: high });
  });

  it('always covers min..max with four steps of 1, 1.5, 2, 2.5, 3, 4, 5, 6 or 8 × 10^k', () => {
    let seed = 7;
    const random = (): number => (seed = (seed * 16807) % 2147483647) / 2147483647;
    for (let k = 0; k < 2000; k++) {
      const scale = 10 ** Math.floor(random() * 8 - 4);
      const a = (random() - 0.3) * scale;
      const b = a + random() * scale;
      for (const variable of ['elevation', 'speed']) {
        const range = niceRange(a, b, variable);
        expect(range.min).toBeLessThanOrEqual(a);
        expect(range.max).toBeGreaterThanOrEqual(b);
        const step = (range.max - range.min) / 4;
        const mantissa = step / 10 ** Math.floor(Math.log10(step) + 1e-9);
        expect([1, 1.5, 2, 2.5, 3, 4, 5, 6, 8].some((m) => Math.abs(m - mantissa) < 1e-6)).toBe(true);
        if (variable === 'elevation') expect(range.min).toBe(-range.max);
      }
    }
  });
});

/**
 * A lon/lat mesh of nx × ny cells near Aveiro with jittered inner nodes,
 * alternating diagonals and the cells for which `skip` is true left out;
 * triangles counter-clockwise.
 */
function gridMesh(nx: number, ny: number, skip: (i: number, j: number) => boolean = () => false, jitter = 0.3) {
  let seed = 12345;
  const random = (): number => (seed = (seed * 16807) % 2147483647) / 2147483647;
  const lon: number[] = [];
  const lat: number[] = [];
  const dx = 0.01;
  for (let j = 0; j <= ny; j++) {
    for (let i = 0; i <= nx; i++) {
      const inner = i > 0 && i < nx && j > 0 && j < ny;
      lon.push(-8.8 + dx * (i + (inner ? (random() - 0.5) * jitter : 0)));
      lat.push(40.6 + dx * (j + (inner ? (random() - 0.5) * jitter : 0)));
    }
  }
  const node = (i: number, j: number): number => i + j * (nx + 1);
  const triangles: number[] = [];
  for (let j = 0; j < ny; j++) {
    for (let i = 0; i < nx; i++) {
      if (skip(i, j)) continue;
      const [a, b, c, d] = [node(i, j), node(i + 1, j), node(i + 1, j + 1), node(i, j + 1)];
      if ((i + j) % 2 === 0) triangles.push(a, b, c, a, c, d);
      else triangles.push(a, b, d, b, c, d);
    }
  }
  return { lon: Float64Array.from(lon), lat: Float64Array.from(lat), triangles: Uint32Array.from(triangles), nodeCount: lon.length };
}

/** The first triangle holding the point, by cross products (a different formula from the locator's). */
function bruteForce(mesh: ReturnType<typeof gridMesh>, x: number, y: number) {
  const cross = (p: number, q: number): number => (mesh.lon[p] - x) * (mesh.lat[q] - y) - (mesh.lat[p] - y) * (mesh.lon[q] - x);
  for (let t = 0; t < mesh.triangles.length / 3; t++) {
    const [a, b, c] = mesh.triangles.slice(3 * t, 3 * t + 3);
    const area = (mesh.lon[b] - mesh.lon[a]) * (mesh.lat[c] - mesh.lat[a]) - (mesh.lat[b] - mesh.lat[a]) * (mesh.lon[c] - mesh.lon[a]);
    const weights = [cross(b, c) / area, cross(c, a) / area, cross(a, b) / area];
    if (weights.every((w) => w >= -1e-12)) return { triangle: t, nodes: [a, b, c], weights };
  }
  return null;
}

describe('MeshLocator', () => {
  // A hole in the middle (2 × 3 cells) and a notch on the south edge, so "outside" happens inside the bounding box too.
  const mesh = gridMesh(40, 30, (i, j) => (i >= 18 && i < 20 && j >= 12 && j < 15) || (i >= 5 && i < 9 && j === 0));
  const locator = new MeshLocator(mesh.lon, mesh.lat, mesh.triangles);

  it('finds the same triangle and weights as a brute-force search for 10 000 random points', () => {
    let seed = 99;
    const random = (): number => (seed = (seed * 16807) % 2147483647) / 2147483647;
    let inside = 0;
    for (let k = 0; k < 10_000; k++) {
      // The mesh's box and a margin around it.
      const x = -8.8 - 0.04 + random() * 0.48;
      const y = 40.6 - 0.03 + random() * 0.36;
      const expected = bruteForce(mesh, x, y);
      const found = locator.locate(x, y);
      if (!expected) {
        expect(found).toBeNull();
        continue;
      }
      inside++;
      expect(found).not.toBeNull();
      expect(found!.triangle).toBe(expected.triangle);
      expect(found!.nodes).toEqual(expected.nodes);
      for (let v = 0; v < 3; v++) expect(Math.abs(found!.weights[v] - expected.weights[v])).toBeLessThan(1e-12);
    }
    expect(inside).toBeGreaterThan(6000);
    expect(inside).toBeLessThan(9500);
  });

  it('finds nodes and points on edges, and nothing in the hole or outside', () => {
    for (const n of [0, 40, 41 * 30, 41 * 31 - 1, 500, 777]) {
      const found = locator.locate(mesh.lon[n], mesh.lat[n]);
      expect(found).not.toBeNull();
      expect(found!.nodes).toContain(n);
      expect(found!.weights[found!.nodes.indexOf(n)]).toBeCloseTo(1, 12);
    }
    expect(locator.locate(-8.8 + 0.01 * 19, 40.6 + 0.01 * 13.5)).toBeNull();
    expect(locator.locate(-8.9, 40.7)).toBeNull();
    expect(locator.locate(Number.NaN, 40.7)).toBeNull();
  });

  it('interpolates a linear field exactly, and gives null where a node has no value', () => {
    const values = Float32Array.from(mesh.lon, (lon, i) => 1000 * (lon + 8.8) - 500 * (mesh.lat[i] - 40.6));
    const x = -8.8 + 0.123;
    const y = 40.6 + 0.0456;
    const exact = 1000 * (x + 8.8) - 500 * (y - 40.6);
    expect(Math.abs(locator.interpolate(values, x, y)! - exact)).toBeLessThan(1e-4);

    const { nodes } = locator.locate(x, y)!;
    values[nodes[1]] = Number.NaN;
    expect(locator.interpolate(values, x, y)).toBeNull();
    expect(locator.interpolate(values, -8.9, 40.7)).toBeNull();
    // A point away from that node still has a value.
    expect(locator.interpolate(values, -8.8 + 0.3, 40.6 + 0.2)).not.toBeNull();
  });

  it('handles an empty mesh', () => {
    expect(new MeshLocator([], [], []).locate(0, 0)).toBeNull();
  });
});

describe('boundaryChains', () => {
  it('walks a square with a square hole into two closed chains', () => {
    // 4 × 4 cells without the middle 2 × 2: an outer boundary of 16 edges, a hole of 8.
    const mesh = gridMesh(4, 4, (i, j) => i >= 1 && i < 3 && j >= 1 && j < 3, 0);
    const chains = boundaryChains(mesh.triangles, mesh.nodeCount).sort((a, b) => b.length - a.length);
    expect(chains.map((chain) => chain.length)).toEqual([17, 9]);

    const edges = new Set<string>();
    for (let t = 0; t < mesh.triangles.length; t += 3) {
      for (let k = 0; k < 3; k++) edges.add(`${mesh.triangles[t + k]}-${mesh.triangles[t + ((k + 1) % 3)]}`);
    }
    const signedArea = (chain: number[]): number =>
      chain.slice(1).reduce((sum, node, k) => sum + mesh.lon[chain[k]] * mesh.lat[node] - mesh.lon[node] * mesh.lat[chain[k]], 0) / 2;
    for (const chain of chains) {
      expect(chain[0]).toBe(chain[chain.length - 1]);
      expect(new Set(chain.slice(1)).size).toBe(chain.length - 1);
      // Every step is a triangle's edge in its own direction.
      for (let k = 1; k < chain.length; k++) expect(edges.has(`${chain[k - 1]}-${chain[k]}`)).toBe(true);
    }
    const [outer, hole] = chains;
    expect(signedArea(outer)).toBeCloseTo(0.04 * 0.04, 10);
    expect(signedArea(hole)).toBeCloseTo(-0.02 * 0.02, 10);
    // The outer chain holds the 16 border nodes, the hole the 8 around the middle.
    expect(new Set(outer)).toEqual(new Set([0, 1, 2, 3, 4, 9, 14, 19, 24, 23, 22, 21, 20, 15, 10, 5]));
    expect(new Set(hole)).toEqual(new Set([6, 7, 8, 13, 18, 17, 16, 11]));
  });

  it('gives one chain per separate piece, and none for no triangles', () => {
    const chains = boundaryChains([0, 1, 2, 3, 4, 5], 6);
    expect(chains).toHaveLength(2);
    expect(chains.every((chain) => chain.length === 4)).toBe(true);
    expect(boundaryChains([], 0)).toEqual([]);
  });
});

describe('wave direction', () => {
  it.each([
    // from, heading on screen (clockwise from up) where the waves go
    [270, 90],
    [0, 180],
    [90, 270],
    [180, 0],
    [285, 105],
    [-45, 135],
  ])('waves from %d° go towards %d°', (from, heading) => {
    const { east, north } = goingTo(from);
    expect(Math.hypot(east, north)).toBeCloseTo(1, 12);
    expect((screenHeading(east, -north) - heading + 360) % 360).toBeCloseTo(0, 9);
    expect(comingFrom(2 * east, 2 * north)).toBeCloseTo((from + 360) % 360, 9);
  });

  it.each([
    [0, 'N'],
    [11, 'N'],
    [12, 'NNE'],
    [285, 'WNW'],
    [270, 'W'],
    [359, 'N'],
    [-90, 'W'],
    [202.5, 'SSW'],
  ] as const)('%d° is %s', (degrees, point) => {
    expect(compassPoint(degrees)).toBe(point);
  });
});

/**
 * The page: a map and a FieldLayer on a mesh sent from the test. `?webgl1` hides WebGL2 from the layer,
 * as in a browser without it. Source text, as the suite compiles without the DOM's types.
 */
const FIELD_PAGE = (web: string): string => `
import { createMap } from '${web}/map/baseMap';
import { COLORMAPS } from '${web}/map/colormap';
import { ARROW_SPACING, DirectionArrows } from '${web}/map/directionArrows';
import { FieldLayer } from '${web}/map/fieldLayer';

if (new URLSearchParams(location.search).has('webgl1')) {
  const getContext = HTMLCanvasElement.prototype.getContext;
  HTMLCanvasElement.prototype.getContext = function (type, attributes) {
    return type === 'webgl2' ? null : getContext.call(this, type, attributes);
  };
}
const map = createMap(document.getElementById('map'), { version: 'test', basemap: null });
let layer;
let arrows;
const settled = (change) => new Promise((done) => { map.once('moveend', () => requestAnimationFrame(() => done())); change(); });
const productMeshOf = (mesh) => {
  const lon = Float64Array.from(mesh.lon), lat = Float64Array.from(mesh.lat);
  map.fitBounds([[Math.min(...lat), Math.min(...lon)], [Math.max(...lat), Math.max(...lon)]], { animate: false });
  return { nodeCount: lon.length, triangleCount: mesh.triangles.length / 3, lon, lat, depth: new Float32Array(lon.length), triangles: Uint32Array.from(mesh.triangles) };
};
/** The arrows' pixels, read from a copy: reading the layer's own canvas again and again makes Chromium warn. */
const arrowPixels = () => {
  const copy = document.createElement('canvas');
  copy.width = arrows.canvas.width;
  copy.height = arrows.canvas.height;
  const context = copy.getContext('2d', { willReadFrequently: true });
  context.drawImage(arrows.canvas, 0, 0);
  return context.getImageData(0, 0, copy.width, copy.height).data;
};
window.arrowPage = {
  show(mesh, directions) {
    arrows = new DirectionArrows(productMeshOf(mesh));
    arrows.addTo(map);
    arrows.setDirections(Float32Array.from(directions, (v) => v ?? NaN));
  },
  setDirections: (directions) => arrows.setDirections(directions && Float32Array.from(directions, (v) => v ?? NaN)),
  /** The arrows drawn, each with where its middle is; the canvas's data attributes; the map's size. */
  drawn() {
    const list = arrows.arrows.map(({ x, y, dx, dy }) => {
      const at = map.containerPointToLatLng([x, y]);
      return { x, y, dx, dy, lon: at.lng, lat: at.lat };
    });
    const size = map.getSize();
    return { arrows: list, count: arrows.canvas.dataset.arrows ?? null, heading: arrows.canvas.dataset.heading ?? null, width: size.x, height: size.y, spacing: ARROW_SPACING };
  },
  /** Longitude and latitude of container points. */
  positions: (points) => points.map(([x, y]) => { const at = map.containerPointToLatLng([x, y]); return [at.lng, at.lat]; }),
  /** The canvas's alpha at container points (CSS pixels). */
  alpha(points) {
    const canvas = arrows.canvas;
    const ratio = canvas.width / map.getSize().x;
    const pixels = arrowPixels();
    return points.map(([x, y]) => pixels[4 * (Math.floor(x * ratio) + Math.floor(y * ratio) * canvas.width) + 3]);
  },
  opaquePixels() {
    const pixels = arrowPixels();
    let count = 0;
    for (let k = 3; k < pixels.length; k += 4) if (pixels[k] > 0) count++;
    return count;
  },
  zoomAndPan: (zoom, pan) => window.fieldPage.zoomAndPan(zoom, pan),
};
window.fieldPage = {
  show(mesh, values, range) {
    const productMesh = productMeshOf(mesh);
    layer = new FieldLayer(productMesh, { colormap: COLORMAPS.waterLevel, range });
    layer.addTo(map);
    layer.setValues(Float32Array.from(values, (v) => v ?? NaN));
    const gl = layer.canvas.getContext('webgl2') ?? layer.canvas.getContext('webgl');
    return gl instanceof WebGL2RenderingContext ? 'webgl2' : 'webgl1';
  },
  setValues: (values) => layer.setValues(Float32Array.from(values, (v) => v ?? NaN)),
  setRange: (range) => layer.setRange(range),
  zoomAndPan: async (zoom, pan) => {
    await settled(() => map.setZoom(map.getZoom() + zoom, { animate: true }));
    await settled(() => map.panBy(pan, { animate: false }));
  },
  /** Every step-th device pixel: its RGBA, and its centre's position and layer.valueAt(). */
  samples(step) {
    const gl = layer.canvas.getContext('webgl2') ?? layer.canvas.getContext('webgl');
    const ratio = layer.canvas.width / map.getSize().x;
    const width = gl.drawingBufferWidth, height = gl.drawingBufferHeight;
    const pixels = new Uint8Array(4 * width * height);
    gl.readPixels(0, 0, width, height, gl.RGBA, gl.UNSIGNED_BYTE, pixels);
    const out = [];
    for (let y = step >> 1; y < height; y += step) {
      for (let x = step >> 1; x < width; x += step) {
        const at = 4 * (x + (height - 1 - y) * width);
        const centre = map.containerPointToLatLng([(x + 0.5) / ratio, (y + 0.5) / ratio]);
        out.push({ rgba: [...pixels.subarray(at, at + 4)], lon: centre.lng, lat: centre.lat, value: layer.valueAt(centre) });
      }
    }
    return { ratio, samples: out };
  },
};
document.title = 'ready';
`;

interface FieldSample {
  rgba: number[];
  lon: number;
  lat: number;
  value: number | null;
}

describe('FieldLayer and DirectionArrows in Chromium', () => {
  let dir: string;
  let server: Server;
  let base: string;
  let browser: Browser;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'coastcast-field-page-'));
    await writeFile(join(dir, 'index.html'), '<!doctype html><html><head><meta charset="utf-8"><link rel="icon" href="data:,"><title>field</title><style>html,body{margin:0;height:100%}#map{position:absolute;inset:0}</style></head><body><div id="map"></div><script type="module" src="./page.js"></script></body></html>');
    await writeFile(join(dir, 'page.js'), FIELD_PAGE(join(projectRoot(), 'web', 'src')));
    await build({ root: dir, configFile: false, logLevel: 'silent', build: { outDir: join(dir, 'dist'), target: 'es2022' } });
    const types: Record<string, string> = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css' };
    server = createServer((request, response) => {
      const path = new URL(request.url ?? '/', 'http://page').pathname;
      const file = join(dir, 'dist', path === '/' ? 'index.html' : path);
      readFile(file).then(
        (body) => response.writeHead(200, { 'content-type': types[extname(file)] ?? 'application/octet-stream' }).end(body),
        () => response.writeHead(404).end(),
      );
    });
    await new Promise<void>((listening) => server.listen(0, '127.0.0.1', listening));
    const address = server.address();
    base = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    server?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  // The locator's test mesh (a hole, a notch); values a linear ramp, no value (dry) on the nodes of a band in the east.
  const mesh = gridMesh(40, 30, (i, j) => (i >= 18 && i < 20 && j >= 12 && j < 15) || (i >= 5 && i < 9 && j === 0));
  const column = (node: number): number => node % 41;
  const field = (shift: number): (number | null)[] =>
    Array.from(mesh.lon, (lon, n) => (column(n) >= 30 && column(n) <= 33 ? null : 40 * (lon + 8.8) - 20 * (mesh.lat[n] - 40.6) + shift));
  const range = { min: -6, max: 16 };
  const locator = new MeshLocator(mesh.lon, mesh.lat, mesh.triangles);
  /** Pixels centred this close to a triangle's edge (as a share of its height) may land on either side of it in float32. */
  const EDGE = 1e-3;
  const lut = COLORMAPS.waterLevel.lut;
  // The GPU (float32) and the locator (float64) may round a level to neighbouring entries: allow the largest step between two.
  let tolerance = 0;
  for (let i = 1; i < 256; i++) for (let c = 0; c < 3; c++) tolerance = Math.max(tolerance, Math.abs(lut[4 * i + c] - lut[4 * i - 4 + c]));

  /** Where valueAt has no value the pixel is transparent; elsewhere it is the colormap's entry for the value. */
  function expectDrawn(samples: FieldSample[], { min, max }: { min: number; max: number }): void {
    let masked = 0;
    let coloured = 0;
    for (const { rgba, lon, lat, value } of samples) {
      const location = locator.locate(lon, lat);
      if (location && Math.min(...location.weights) < EDGE) continue;
      if (value === null) {
        expect(rgba).toEqual([0, 0, 0, 0]);
        masked++;
        continue;
      }
      const entry = Math.round(Math.min(1, Math.max(0, (value - min) / (max - min))) * 255);
      expect(rgba[3]).toBe(255);
      for (let c = 0; c < 3; c++) expect(Math.abs(rgba[c] - lut[4 * entry + c])).toBeLessThanOrEqual(tolerance);
      coloured++;
    }
    expect(coloured).toBeGreaterThan(200);
    expect(masked).toBeGreaterThan(50);
  }

  it.each([
    ['WebGL2 (visibility buffer)', '', 1, 'webgl2'],
    ['WebGL2 at a device pixel ratio of 2', '', 2, 'webgl2'],
    ['WebGL1 (rasterised per frame)', '?webgl1', 1, 'webgl1'],
  ] as const)('draws the field as the colormap of valueAt, masking dry triangles: %s', async (_name, query, deviceScaleFactor, context) => {
    const { page, problems } = await openPage(browser, join(dir, 'screenshots'), { width: 640, height: 480 });
    const devTools = await page.context().newCDPSession(page);
    await devTools.send('Emulation.setDeviceMetricsOverride', { width: 640, height: 480, deviceScaleFactor, mobile: false });
    await page.goto(`${base}/${query}`);
    await page.waitForFunction('document.title === "ready"');
    const call = <T>(body: string): Promise<T> => page.evaluate(body) as Promise<T>;
    const args = (...values: unknown[]): string => values.map((value) => JSON.stringify(value)).join(', ');

    expect(await call(`fieldPage.show(${args({ lon: [...mesh.lon], lat: [...mesh.lat], triangles: [...mesh.triangles] }, field(0), range)})`)).toBe(context);
    const first = await call<{ ratio: number; samples: FieldSample[] }>('fieldPage.samples(13)');
    expect(first.ratio).toBe(deviceScaleFactor);
    expectDrawn(first.samples, range);

    // A new frame, then a new range: same view, new values and colours.
    await call(`fieldPage.setValues(${args(field(3))})`);
    expectDrawn((await call<{ samples: FieldSample[] }>('fieldPage.samples(13)')).samples, range);
    const wider = { min: -10, max: 20 };
    await call(`fieldPage.setRange(${args(wider)})`);
    expectDrawn((await call<{ samples: FieldSample[] }>('fieldPage.samples(13)')).samples, wider);

    // A new view: the drawing follows the map.
    await call('fieldPage.zoomAndPan(1, [120, -60])');
    expectDrawn((await call<{ samples: FieldSample[] }>('fieldPage.samples(13)')).samples, wider);
    expect(problems).toEqual([]);
    await page.close();
  });

  interface DrawnArrow {
    x: number;
    y: number;
    dx: number;
    dy: number;
    lon: number;
    lat: number;
  }
  interface Drawn {
    arrows: DrawnArrow[];
    count: string | null;
    heading: string | null;
    width: number;
    height: number;
    spacing: number;
  }
  /** The band without values: the nodes of columns 30 to 33, as in the field's test. */
  const dryNode = (node: number): boolean => column(node) >= 30 && column(node) <= 33;
  const directions = (from: (node: number) => number): (number | null)[] => Array.from(mesh.lon, (_lon, n) => (dryNode(n) ? null : from(n)));

  it.each([1, 2])('draws an arrow where the waves go at every wet lattice point, and follows the map (device pixel ratio %d)', async (deviceScaleFactor) => {
    const { page, problems } = await openPage(browser, join(dir, 'screenshots'), { width: 640, height: 480 });
    const devTools = await page.context().newCDPSession(page);
    await devTools.send('Emulation.setDeviceMetricsOverride', { width: 640, height: 480, deviceScaleFactor, mobile: false });
    await page.goto(base);
    await page.waitForFunction('document.title === "ready"');
    const call = <T>(body: string): Promise<T> => page.evaluate(body) as Promise<T>;
    const args = (...values: unknown[]): string => values.map((value) => JSON.stringify(value)).join(', ');

    // A swell from the west: every arrow points east.
    await call(`arrowPage.show(${args({ lon: [...mesh.lon], lat: [...mesh.lat], triangles: [...mesh.triangles] }, directions(() => 270))})`);
    const west = await call<Drawn>('arrowPage.drawn()');
    expect(west.arrows.length).toBeGreaterThan(40);
    expect(west.count).toBe(String(west.arrows.length));
    expect(west.heading).toBe('90');
    for (const arrow of west.arrows) {
      expect(arrow.dx).toBeCloseTo(1, 6);
      expect(arrow.dy).toBeCloseTo(0, 6);
    }

    // The arrows stand on a lattice ARROW_SPACING apart, at every point of it whose triangle is wet, and nowhere else.
    const [first] = west.arrows;
    const spacing = west.spacing;
    const phase = (v: number) => ((v % spacing) + spacing) % spacing;
    const lattice: [number, number][] = [];
    for (let y = phase(first.y); y < west.height; y += spacing) for (let x = phase(first.x); x < west.width; x += spacing) lattice.push([x, y]);
    const positions = await call<[number, number][]>(`arrowPage.positions(${args(lattice)})`);
    const expected = lattice.filter((_, k) => {
      const location = locator.locate(...positions[k]);
      // Points about on an edge between a wet and a dry triangle may go either way in float32.
      return location !== null && !location.nodes.some(dryNode);
    });
    const key = ([x, y]: [number, number]) => `${Math.round(x)},${Math.round(y)}`;
    const drawnKeys = new Set(west.arrows.map((a) => key([a.x, a.y])));
    const inDryTriangle = west.arrows.filter((a) => locator.locate(a.lon, a.lat)?.nodes.some(dryNode) ?? true);
    expect(inDryTriangle).toEqual([]);
    const missing = expected.filter((point) => !drawnKeys.has(key(point)));
    expect(missing).toEqual([]);
    expect(west.arrows.length).toBe(expected.length);

    // On the canvas: the head's wide end beside the shaft near the tip, nothing that far beside the tail.
    const beside = (a: DrawnArrow, along: number, across: number): [number, number] => [a.x + a.dx * along - a.dy * across, a.y + a.dy * along + a.dx * across];
    const heads = west.arrows.flatMap((a) => [beside(a, 7, 3.5), beside(a, 7, -3.5)]);
    const tails = west.arrows.flatMap((a) => [beside(a, -7, 3.5), beside(a, -7, -3.5)]);
    const [headAlpha, tailAlpha] = await Promise.all([call<number[]>(`arrowPage.alpha(${args(heads)})`), call<number[]>(`arrowPage.alpha(${args(tails)})`)]);
    expect(headAlpha.filter((alpha) => alpha < 200)).toEqual([]);
    expect(tailAlpha.filter((alpha) => alpha > 40)).toEqual([]);

    // 350° and 10° mixed in every triangle are a swell from the north (the vectors' mean), not from the south (the angles' mean).
    await call(`arrowPage.setDirections(${args(directions((n) => (n % 2 === 0 ? 350 : 10)))})`);
    const north = await call<Drawn>('arrowPage.drawn()');
    expect(north.arrows.length).toBe(west.arrows.length);
    for (const arrow of north.arrows) expect(Math.abs(screenHeading(arrow.dx, arrow.dy) - 180)).toBeLessThan(10.5);

    // A west-north-west swell goes east-south-east.
    await call(`arrowPage.setDirections(${args(directions(() => 285))})`);
    expect((await call<Drawn>('arrowPage.drawn()')).heading).toBe('105');

    // Panning carries the arrows with the map (the lattice is fixed to it); zooming samples a new lattice as dense on screen.
    const before = await call<Drawn>('arrowPage.drawn()');
    await call('arrowPage.zoomAndPan(0, [120, -60])');
    const panned = await call<Drawn>('arrowPage.drawn()');
    const pannedKeys = new Set(panned.arrows.map((a) => key([a.x, a.y])));
    const stayed = before.arrows.filter((a) => a.x - 120 >= 0 && a.x - 120 < before.width && a.y + 60 >= 0 && a.y + 60 < before.height);
    expect(stayed.length).toBeGreaterThan(20);
    for (const a of stayed) expect(pannedKeys.has(key([a.x - 120, a.y + 60]))).toBe(true);
    await call('arrowPage.zoomAndPan(1, [0, 0])');
    const zoomed = await call<Drawn>('arrowPage.drawn()');
    expect(zoomed.arrows.length).toBeGreaterThan(20);
    const zoomedPhase = [phase(zoomed.arrows[0].x), phase(zoomed.arrows[0].y)];
    for (const a of zoomed.arrows) expect([phase(a.x), phase(a.y)].map((v, i) => Math.abs(v - zoomedPhase[i]) < 1e-6 || Math.abs(Math.abs(v - zoomedPhase[i]) - spacing) < 1e-6)).toEqual([true, true]);
    for (const a of zoomed.arrows) expect(locator.locate(a.lon, a.lat)?.nodes.some(dryNode)).toBe(false);

    // No directions, no arrows.
    await call('arrowPage.setDirections(null)');
    expect(await call<Drawn>('arrowPage.drawn()')).toMatchObject({ arrows: [], count: null, heading: null });
    expect(await call<number>('arrowPage.opaquePixels()')).toBe(0);
    expect(problems).toEqual([]);
    await page.close();
  });
});
