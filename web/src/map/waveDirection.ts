/**
 * Wave directions as the products give them (degrees clockwise from true
 * north that the waves come from, nautical) and as the map draws them
 * (where the waves go, on screen). Free of the DOM and of Leaflet, so the
 * node tests load it.
 */

/**
 * Where waves coming from `from` go, as a unit vector east and north. On a
 * Web Mercator map north is up and angles are kept, so on screen it points
 * along (east, −north).
 */
export function goingTo(from: number): { east: number; north: number } {
  const radians = (from * Math.PI) / 180;
  return { east: -Math.sin(radians), north: -Math.cos(radians) };
}

/** The direction (degrees clockwise from north, 0..360) that a movement towards (east, north) comes from. */
export function comingFrom(east: number, north: number): number {
  return ((Math.atan2(-east, -north) * 180) / Math.PI + 360) % 360;
}

const COMPASS = ['N', 'NNE', 'NE', 'ENE', 'E', 'ESE', 'SE', 'SSE', 'S', 'SSW', 'SW', 'WSW', 'W', 'WNW', 'NW', 'NNW'];

/** The nearest of the 16 compass points: 285 → WNW. */
export function compassPoint(degrees: number): string {
  return COMPASS[Math.round((((degrees % 360) + 360) % 360) / 22.5) % 16];
}

/** The heading of a screen vector (x right, y down), degrees clockwise from up, in 0..360. */
export function screenHeading(dx: number, dy: number): number {
  return ((Math.atan2(dx, -dy) * 180) / Math.PI + 360) % 360;
}
