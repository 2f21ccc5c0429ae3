/**
 * A per-node field on the triangle mesh, drawn with WebGL on one canvas over
 * the map (fieldRenderer.ts draws it). The mesh goes to the GPU once; a new
 * frame uploads only its node values, and colours come from the colormap as
 * a texture looked up per pixel, so changing the range or the colormap
 * uploads nothing per node. Triangles touching a node without a value (dry,
 * unflooded) are masked.
 */
import L from 'leaflet';

import type { ProductMesh } from '../products/mesh';
import { h } from '../ui/dom';
import type { Colormap } from './colormap';
import { createFieldRenderer, type FieldRenderer, type FieldView } from './fieldRenderer';
import { coverMap, followZoom } from './mapCanvas';
import { MeshLocator } from './meshLocator';
import './map.css';

export interface FieldLayerOptions {
  colormap: Colormap;
  range: { min: number; max: number };
  opacity?: number;
}

/** Under the overlay pane (400), so the coastline, flood outlines and markers draw on top of the field. */
const PANE = 'field';
const PANE_Z_INDEX = '350';

/** Leaflet's Web Mercator (EPSG:3857) in world units 0..1, y down: Leaflet's pixel coordinates divided by 256·2^zoom. */
const MAX_LATITUDE = 85.0511287798;
function worldX(lon: number): number {
  return 0.5 + lon / 360;
}
function worldY(lat: number): number {
  const sin = Math.sin((Math.max(-MAX_LATITUDE, Math.min(MAX_LATITUDE, lat)) * Math.PI) / 180);
  return 0.5 - Math.log((1 + sin) / (1 - sin)) / (4 * Math.PI);
}

export class FieldLayer extends L.Layer {
  readonly canvas: HTMLCanvasElement = L.DomUtil.create('canvas', 'field-layer leaflet-zoom-animated');
  private readonly renderer: FieldRenderer | null = null;
  private readonly problem: string | null = null;
  /** World coordinates of the mesh's centre: positions are sent relative to it, so float32 keeps sub-pixel precision at any zoom. */
  private readonly centreX: number;
  private readonly centreY: number;
  private values: Float32Array | null = null;
  private locator: MeshLocator | null = null;
  private range: { min: number; max: number };
  private drawMs = 0;
  private map: L.Map | null = null;
  private message: HTMLElement | null = null;

  constructor(
    private readonly mesh: ProductMesh,
    options: FieldLayerOptions,
  ) {
    super();
    this.range = options.range;
    this.canvas.style.opacity = String(options.opacity ?? 1);
    const x = Float64Array.from(mesh.lon, worldX);
    const y = Float64Array.from(mesh.lat, worldY);
    let left = Infinity, right = -Infinity, top = Infinity, bottom = -Infinity;
    for (let i = 0; i < mesh.nodeCount; i++) {
      left = Math.min(left, x[i]);
      right = Math.max(right, x[i]);
      top = Math.min(top, y[i]);
      bottom = Math.max(bottom, y[i]);
    }
    this.centreX = mesh.nodeCount > 0 ? (left + right) / 2 : 0;
    this.centreY = mesh.nodeCount > 0 ? (top + bottom) / 2 : 0;
    const positions = new Float32Array(2 * mesh.nodeCount);
    for (let i = 0; i < mesh.nodeCount; i++) {
      positions[2 * i] = x[i] - this.centreX;
      positions[2 * i + 1] = y[i] - this.centreY;
    }
    try {
      this.renderer = createFieldRenderer(this.canvas, positions, mesh.triangles);
      this.setColormap(options.colormap);
    } catch (error) {
      this.problem = (error as Error).message;
    }
  }

  /** Milliseconds the last setValues took from call to draw issued (upload + draw). */
  get lastDrawMs(): number {
    return this.drawMs;
  }

  /** One value per node; NaN = no value: every triangle touching a NaN node is masked. Redraws. */
  setValues(values: Float32Array): void {
    const start = performance.now();
    if (values.length !== this.mesh.nodeCount) throw new RangeError(`field has ${values.length} values, the mesh ${this.mesh.nodeCount} nodes`);
    this.values = values;
    if (this.renderer) {
      this.renderer.setValues(values);
      this.draw();
    }
    this.drawMs = performance.now() - start;
  }

  setRange(range: { min: number; max: number }): void {
    this.range = range;
    this.draw();
  }

  setColormap(colormap: Colormap): void {
    this.renderer?.setColormap(colormap.lut);
    this.draw();
  }

  /** The value at a point, interpolated linearly in its triangle; null outside the mesh or where masked. */
  valueAt(latlng: L.LatLng): number | null {
    if (!this.values) return null;
    this.locator ??= new MeshLocator(this.mesh.lon, this.mesh.lat, this.mesh.triangles);
    return this.locator.interpolate(this.values, latlng.lng, latlng.lat);
  }

  override onAdd(map: L.Map): this {
    this.map = map;
    const pane = map.getPane(PANE) ?? map.createPane(PANE);
    pane.style.zIndex = PANE_Z_INDEX;
    pane.appendChild(this.canvas);
    if (this.problem) {
      this.message = h('div', { class: 'field-layer-message', role: 'alert' }, this.problem);
      map.getContainer().appendChild(this.message);
      this.fire('error', { message: this.problem });
    }
    this.draw();
    return this;
  }

  override onRemove(): this {
    this.canvas.remove();
    this.message?.remove();
    this.message = null;
    this.map = null;
    return this;
  }

  override getEvents(): Record<string, L.LeafletEventHandlerFn> {
    // Leaflet calls these with the layer as `this`.
    return { move: this.draw, resize: this.draw, zoomanim: this.animateZoom as L.LeafletEventHandlerFn };
  }

  /** Covers the map container with the canvas and draws the field for the map's current view. */
  private draw(): void {
    const map = this.map;
    const renderer = this.renderer;
    if (!map || !renderer) return;
    const { size } = coverMap(this.canvas, map);
    if (size.x === 0 || size.y === 0) return;
    // Clip space from world units: the container's top-left is at Leaflet pixel (pixel origin + its layer point).
    const worldSize = map.options.crs!.scale(map.getZoom());
    const origin = map.getPixelOrigin().add(map.containerPointToLayerPoint([0, 0]));
    const view: FieldView = {
      scale: [(2 * worldSize) / size.x, (-2 * worldSize) / size.y],
      offset: [(2 * (this.centreX * worldSize - origin.x)) / size.x - 1, 1 - (2 * (this.centreY * worldSize - origin.y)) / size.y],
    };
    renderer.draw(view, this.range);
  }

  private animateZoom(event: L.ZoomAnimEvent): void {
    if (this.map) followZoom(this.canvas, this.map, event);
  }
}
