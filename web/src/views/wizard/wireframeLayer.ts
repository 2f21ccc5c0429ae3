/**
 * A mesh's triangles as thin lines on one canvas: a Leaflet polyline of
 * every edge takes seconds to build and redraw at the preview's 300 000
 * triangles, while stroking one path of projected nodes takes a fraction of
 * that. The canvas covers the view with a margin, so a short pan shows no
 * gap, and is redrawn when the map stops moving.
 */
import L from 'leaflet';

/** Extra canvas around the view on each side, as a fraction of its size. */
const MARGIN = 0.25;
const PANE = 'wizardWireframe';
/** Triangles per stroke. */
const BATCH = 2000;

export class WireframeLayer extends L.Layer {
  private readonly canvas: HTMLCanvasElement = L.DomUtil.create('canvas', 'wizard-wireframe leaflet-zoom-hide');
  private readonly x: Float64Array;
  private readonly y: Float64Array;

  constructor(
    private readonly lon: readonly number[],
    private readonly lat: readonly number[],
    private readonly triangles: readonly number[],
    private readonly colour: string,
  ) {
    super();
    this.x = new Float64Array(lon.length);
    this.y = new Float64Array(lon.length);
  }

  override onAdd(map: L.Map): this {
    // Its own pane under the overlay pane, so the boundaries and stations always draw over the triangles.
    const pane = map.getPane(PANE) ?? map.createPane(PANE);
    pane.style.zIndex = '350';
    pane.style.pointerEvents = 'none';
    pane.appendChild(this.canvas);
    map.on('moveend resize', this.draw, this);
    this.draw();
    return this;
  }

  override onRemove(map: L.Map): this {
    map.off('moveend resize', this.draw, this);
    this.canvas.remove();
    return this;
  }

  private draw(): void {
    const map = this._map;
    if (!map) return;
    const size = map.getSize();
    const margin = size.multiplyBy(MARGIN).round();
    const width = size.x + 2 * margin.x;
    const height = size.y + 2 * margin.y;
    const ratio = window.devicePixelRatio || 1;
    // The canvas's top-left in layer points: where the pane puts it, whatever the map has panned since its last reset.
    const topLeft = map.containerPointToLayerPoint([-margin.x, -margin.y]);
    L.DomUtil.setPosition(this.canvas, topLeft);
    this.canvas.width = Math.round(width * ratio);
    this.canvas.height = Math.round(height * ratio);
    this.canvas.style.width = `${width}px`;
    this.canvas.style.height = `${height}px`;
    const origin = map.getPixelOrigin().add(topLeft);
    const zoom = map.getZoom();
    for (let n = 0; n < this.lon.length; n++) {
      const point = map.project([this.lat[n], this.lon[n]], zoom);
      this.x[n] = point.x - origin.x;
      this.y[n] = point.y - origin.y;
    }
    const context = this.canvas.getContext('2d');
    if (!context) return;
    context.scale(ratio, ratio);
    context.strokeStyle = this.colour;
    context.lineWidth = 0.5;
    context.beginPath();
    const { x, y, triangles } = this;
    for (let t = 0; t + 2 < triangles.length; t += 3) {
      // One path of a million segments takes the rasteriser minutes; strokes of a few thousand take milliseconds.
      if (t % (3 * BATCH) === 0) {
        context.stroke();
        context.beginPath();
      }
      const a = triangles[t];
      const b = triangles[t + 1];
      const c = triangles[t + 2];
      // A triangle wholly to one side of the canvas draws nothing.
      if ((x[a] < 0 && x[b] < 0 && x[c] < 0) || (x[a] > width && x[b] > width && x[c] > width)) continue;
      if ((y[a] < 0 && y[b] < 0 && y[c] < 0) || (y[a] > height && y[b] > height && y[c] > height)) continue;
      context.moveTo(x[a], y[a]);
      context.lineTo(x[b], y[b]);
      context.lineTo(x[c], y[c]);
      context.closePath();
    }
    context.stroke();
  }
}
