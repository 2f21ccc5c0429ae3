/**
 * A canvas that covers the map container, as the field and the arrows use
 * it: kept at the container's size in device pixels and at its top-left in
 * the map pane, and scaled along with Leaflet's animated zoom until it is
 * drawn again for the new view.
 */
import L from 'leaflet';

/** Sizes and places `canvas` over the map's container; returns its size in CSS pixels and the device pixel ratio. */
export function coverMap(canvas: HTMLCanvasElement, map: L.Map): { size: L.Point; ratio: number } {
  const size = map.getSize();
  const ratio = window.devicePixelRatio || 1;
  const width = Math.max(1, Math.round(size.x * ratio));
  const height = Math.max(1, Math.round(size.y * ratio));
  if (canvas.width !== width || canvas.height !== height) {
    canvas.width = width;
    canvas.height = height;
    canvas.style.width = `${size.x}px`;
    canvas.style.height = `${size.y}px`;
  }
  L.DomUtil.setPosition(canvas, map.containerPointToLayerPoint([0, 0]));
  return { size, ratio };
}

/** During an animated zoom, scales the last drawing to where it lands, as Leaflet does for its own layers. */
export function followZoom(canvas: HTMLCanvasElement, map: L.Map, event: L.ZoomAnimEvent): void {
  const scale = map.getZoomScale(event.zoom, map.getZoom());
  // Leaflet's pixel origin once the zoom ends (Map._getNewPixelOrigin), from public methods.
  const mapPanePosition = map.containerPointToLayerPoint([0, 0]).multiplyBy(-1);
  const newOrigin = map.project(event.center, event.zoom).subtract(map.getSize().divideBy(2)).add(mapPanePosition).round();
  const topLeft = map.project(map.containerPointToLatLng([0, 0]), event.zoom).subtract(newOrigin);
  L.DomUtil.setTransform(canvas, topLeft, scale);
}
