/**
 * Arrows for a direction field on the mesh (meanWaveDirection: degrees
 * clockwise from true north that the waves come from), one at each point of
 * a regular lattice of screen pixels, pointing where the waves go. The
 * lattice is fixed to Leaflet's pixel grid rather than to the container, so
 * arrows travel with the map while it pans instead of being sampled afresh
 * at new places. A point gets its direction from its triangle, interpolated
 * as a unit vector (350° and 10° average to north, not south); a point off
 * the mesh or in a triangle with a node without a value (dry) gets no arrow.
 *
 * The canvas carries what it shows for tests and tools: data-arrows (how
 * many) and data-heading (the mean direction they point on screen, degrees
 * clockwise from up), absent while no arrow is drawn.
 */
import L from 'leaflet';

import { coverMap, followZoom } from './mapCanvas';
import { MeshLocator } from './meshLocator';
import { comingFrom, goingTo, screenHeading } from './waveDirection';
import './map.css';

/** Lattice spacing, CSS pixels: dense enough to read the pattern, sparse enough to read the field under it. */
export const ARROW_SPACING = 44;
const ARROW_LENGTH = 26;
const HEAD_LENGTH = 9;
const HEAD_HALF_WIDTH = 5;
// White arrows in a dark halo read on every colour of the wave-height map, from its dark violet to its pale yellow.
const ARROW_COLOUR = '#ffffff';
const HALO_COLOUR = 'rgba(20, 33, 43, 0.85)';
const HALO_WIDTH = 4;
const SHAFT_WIDTH = 1.75;

/** Above the field (350), under the overlay pane (400): the coastline, flood outlines and markers stay on top. */
const PANE = 'directionArrows';
const PANE_Z_INDEX = '380';

/** One arrow in container pixels: its middle, and the unit vector it points along (x right, y down). */
export interface Arrow {
  x: number;
  y: number;
  dx: number;
  dy: number;
}

/** What the arrows need of a ProductMesh. */
export interface ArrowMesh {
  nodeCount: number;
  lon: ArrayLike<number>;
  lat: ArrayLike<number>;
  triangles: ArrayLike<number>;
}

export class DirectionArrows extends L.Layer {
  readonly canvas: HTMLCanvasElement = L.DomUtil.create('canvas', 'direction-arrows leaflet-zoom-animated');
  /** Made when the first directions arrive: a site without waves never needs it. */
  private locator: MeshLocator | null = null;
  /** Per node, the unit vector the waves go along (NaN where there is no direction); null: no arrows. */
  private east: Float32Array | null = null;
  private north: Float32Array | null = null;
  private drawn: Arrow[] = [];
  private map: L.Map | null = null;

  constructor(private readonly mesh: ArrowMesh) {
    super();
  }

  /** The arrows on screen now. */
  get arrows(): readonly Arrow[] {
    return this.drawn;
  }

  /** One direction per node (degrees, coming from), NaN where there is none; null takes the arrows away. Redraws. */
  setDirections(directions: Float32Array | null): void {
    if (directions && directions.length !== this.mesh.nodeCount) throw new RangeError(`direction field has ${directions.length} values, the mesh ${this.mesh.nodeCount} nodes`);
    if (!directions) {
      this.east = this.north = null;
    } else {
      const east = new Float32Array(directions.length);
      const north = new Float32Array(directions.length);
      for (let i = 0; i < directions.length; i++) {
        const to = goingTo(directions[i]);
        east[i] = to.east;
        north[i] = to.north;
      }
      this.east = east;
      this.north = north;
      this.locator ??= new MeshLocator(this.mesh.lon, this.mesh.lat, this.mesh.triangles);
    }
    this.draw();
  }

  /** Where the waves come from at a point (degrees clockwise from north), as the arrows take it; null off the mesh, where dry or without arrows. */
  directionAt(latlng: L.LatLng): number | null {
    if (!this.locator || !this.east || !this.north) return null;
    const east = this.locator.interpolate(this.east, latlng.lng, latlng.lat);
    const north = this.locator.interpolate(this.north, latlng.lng, latlng.lat);
    return east === null || north === null || Math.hypot(east, north) < 1e-6 ? null : comingFrom(east, north);
  }

  override onAdd(map: L.Map): this {
    this.map = map;
    const pane = map.getPane(PANE) ?? map.createPane(PANE);
    pane.style.zIndex = PANE_Z_INDEX;
    pane.appendChild(this.canvas);
    this.draw();
    return this;
  }

  override onRemove(): this {
    this.canvas.remove();
    this.map = null;
    return this;
  }

  override getEvents(): Record<string, L.LeafletEventHandlerFn> {
    // Leaflet calls these with the layer as `this`.
    return { move: this.draw, resize: this.draw, zoomanim: this.animateZoom as L.LeafletEventHandlerFn };
  }

  private draw(): void {
    const map = this.map;
    if (!map) return;
    const { size, ratio } = coverMap(this.canvas, map);
    const context = this.canvas.getContext('2d')!;
    context.setTransform(1, 0, 0, 1, 0, 0);
    context.clearRect(0, 0, this.canvas.width, this.canvas.height);
    this.drawn = this.east && this.north && this.locator ? this.sample(map, size, this.locator, this.east, this.north) : [];
    this.describe();
    if (this.drawn.length === 0) return;
    context.setTransform(ratio, 0, 0, ratio, 0, 0);
    context.lineCap = 'round';
    context.lineJoin = 'round';
    const shafts = this.path('shafts');
    const heads = this.path('heads');
    context.strokeStyle = HALO_COLOUR;
    context.fillStyle = HALO_COLOUR;
    context.lineWidth = HALO_WIDTH;
    context.stroke(shafts);
    context.stroke(heads);
    context.fill(heads);
    context.strokeStyle = ARROW_COLOUR;
    context.fillStyle = ARROW_COLOUR;
    context.lineWidth = SHAFT_WIDTH;
    context.stroke(shafts);
    context.fill(heads);
  }

  /** The lattice points inside the container, each with its direction where it has one. */
  private sample(map: L.Map, size: L.Point, locator: MeshLocator, east: Float32Array, north: Float32Array): Arrow[] {
    const zoom = map.getZoom();
    // Leaflet's absolute pixel of the container's top-left: the lattice sits at the middles of ARROW_SPACING squares of that grid.
    const origin = map.getPixelOrigin().add(map.containerPointToLayerPoint([0, 0]));
    const arrows: Arrow[] = [];
    const first = (start: number) => (Math.floor(start / ARROW_SPACING) + 0.5) * ARROW_SPACING;
    for (let py = first(origin.y); py < origin.y + size.y; py += ARROW_SPACING) {
      for (let px = first(origin.x); px < origin.x + size.x; px += ARROW_SPACING) {
        const { lat, lng } = map.unproject([px, py], zoom);
        const location = locator.locate(lng, lat);
        if (!location) continue;
        const [a, b, c] = location.nodes;
        const [wa, wb, wc] = location.weights;
        const e = wa * east[a] + wb * east[b] + wc * east[c];
        const n = wa * north[a] + wb * north[b] + wc * north[c];
        const length = Math.hypot(e, n);
        // NaN where a node has no direction; 0 where directions cancel out and there is none to show.
        if (!(length > 1e-6)) continue;
        arrows.push({ x: px - origin.x, y: py - origin.y, dx: e / length, dy: -n / length });
      }
    }
    return arrows;
  }

  /** Shafts centred on their lattice points, or the triangular heads at their ends. */
  private path(part: 'shafts' | 'heads'): Path2D {
    const path = new Path2D();
    const half = ARROW_LENGTH / 2;
    for (const { x, y, dx, dy } of this.drawn) {
      const tipX = x + dx * half;
      const tipY = y + dy * half;
      if (part === 'shafts') {
        path.moveTo(x - dx * half, y - dy * half);
        // The shaft stops inside the head, so the head's point stays sharp.
        path.lineTo(tipX - dx * HEAD_LENGTH * 0.5, tipY - dy * HEAD_LENGTH * 0.5);
      } else {
        const baseX = tipX - dx * HEAD_LENGTH;
        const baseY = tipY - dy * HEAD_LENGTH;
        path.moveTo(tipX, tipY);
        path.lineTo(baseX - dy * HEAD_HALF_WIDTH, baseY + dx * HEAD_HALF_WIDTH);
        path.lineTo(baseX + dy * HEAD_HALF_WIDTH, baseY - dx * HEAD_HALF_WIDTH);
        path.closePath();
      }
    }
    return path;
  }

  private describe(): void {
    const data = this.canvas.dataset;
    if (this.drawn.length === 0) {
      delete data.arrows;
      delete data.heading;
      return;
    }
    let dx = 0;
    let dy = 0;
    for (const arrow of this.drawn) {
      dx += arrow.dx;
      dy += arrow.dy;
    }
    data.arrows = String(this.drawn.length);
    data.heading = screenHeading(dx, dy).toFixed(0);
  }

  private animateZoom(event: L.ZoomAnimEvent): void {
    if (this.map) followZoom(this.canvas, this.map, event);
  }
}
