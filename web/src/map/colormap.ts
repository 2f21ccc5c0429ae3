/**
 * Colormaps for forecast fields as 256-entry RGBA tables (the field layer
 * samples them as a texture). Each map is a few colour stops blended in
 * OKLab, where equal steps look like equal changes, so the maps stay smooth
 * and the sequential ones get steadily lighter or darker.
 */

export interface Colormap {
  name: string;
  /** 256×4 bytes RGBA */
  lut: Uint8Array;
  /** CSS colour at t in 0..1 */
  css(t: number): string;
}

type Lab = [number, number, number];

function srgbToLinear(channel: number): number {
  return channel <= 0.04045 ? channel / 12.92 : ((channel + 0.055) / 1.055) ** 2.4;
}

function linearToSrgb(channel: number): number {
  const c = Math.min(1, Math.max(0, channel));
  return c <= 0.0031308 ? 12.92 * c : 1.055 * c ** (1 / 2.4) - 0.055;
}

/** Björn Ottosson's OKLab (2020), from 8-bit sRGB. */
export function oklabOf(red: number, green: number, blue: number): Lab {
  const r = srgbToLinear(red / 255);
  const g = srgbToLinear(green / 255);
  const b = srgbToLinear(blue / 255);
  const l = Math.cbrt(0.4122214708 * r + 0.5363325363 * g + 0.0514459929 * b);
  const m = Math.cbrt(0.2119034982 * r + 0.6806995451 * g + 0.1073969566 * b);
  const s = Math.cbrt(0.0883024619 * r + 0.2817188376 * g + 0.6299787005 * b);
  return [
    0.2104542553 * l + 0.793617785 * m - 0.0040720468 * s,
    1.9779984951 * l - 2.428592205 * m + 0.4505937099 * s,
    0.0259040371 * l + 0.7827717662 * m - 0.808675766 * s,
  ];
}

function srgbOf([L, a, b]: Lab): [number, number, number] {
  const l = (L + 0.3963377774 * a + 0.2158037573 * b) ** 3;
  const m = (L - 0.1055613458 * a - 0.0638541728 * b) ** 3;
  const s = (L - 0.0894841775 * a - 1.291485548 * b) ** 3;
  const linear = [
    4.0767416621 * l - 3.3077115913 * m + 0.2309699292 * s,
    -1.2684380046 * l + 2.6097574011 * m - 0.3413193965 * s,
    -0.0041960863 * l - 0.7034186147 * m + 1.707614701 * s,
  ];
  return linear.map((c) => Math.round(linearToSrgb(c) * 255)) as [number, number, number];
}

/** A colormap through `stops` (`#rrggbb`, evenly spaced over 0..1). */
function colormap(name: string, stops: string[]): Colormap {
  const labs = stops.map((hex) => oklabOf(parseInt(hex.slice(1, 3), 16), parseInt(hex.slice(3, 5), 16), parseInt(hex.slice(5, 7), 16)));
  const lut = new Uint8Array(256 * 4);
  const segments = labs.length - 1;
  for (let i = 0; i < 256; i++) {
    const position = (i / 255) * segments;
    const k = Math.min(Math.floor(position), segments - 1);
    const f = position - k;
    const lab = labs[k].map((c, j) => c + (labs[k + 1][j] - c) * f) as Lab;
    lut.set([...srgbOf(lab), 255], i * 4);
  }
  return {
    name,
    lut,
    css(t: number): string {
      const i = 4 * Math.round(Math.min(1, Math.max(0, Number.isFinite(t) ? t : 0)) * 255);
      return `rgb(${lut[i]} ${lut[i + 1]} ${lut[i + 2]})`;
    },
  };
}

export const COLORMAPS = {
  // Blue below the datum, red above, near-white at 0; both halves darken at the same rate.
  waterLevel: colormap('water level', ['#043264', '#2460a8', '#528dc9', '#9bc3e5', '#f5f5f5', '#f4a988', '#d4614c', '#b01c2e', '#63031d']),
  // Viridis-like: dark violet for still water to yellow for the fastest currents.
  speed: colormap('speed', ['#440154', '#482878', '#3e4989', '#31688e', '#26828e', '#1f9e89', '#35b779', '#6ece58', '#b5de2b', '#fde725']),
  // Shallow flooding light, deep flooding dark (like cmocean 'deep').
  depth: colormap('depth', ['#fdfecc', '#b2e6a8', '#6cc5a5', '#4c9f9f', '#3e7a99', '#3f5693', '#3e3571', '#281a2c']),
  // Magma-like without its black end, so calm water stays distinct from the coastline ink.
  waveHeight: colormap('wave height', ['#1c1044', '#4f127b', '#812581', '#b5367a', '#e55064', '#fb8761', '#fec287', '#fcfdbf']),
} satisfies Record<string, Colormap>;

export function colormapFor(variable: string): Colormap {
  switch (variable) {
    case 'elevation':
      return COLORMAPS.waterLevel;
    case 'inundationDepth':
      return COLORMAPS.depth;
    case 'sigWaveHeight':
      return COLORMAPS.waveHeight;
    default:
      return COLORMAPS.speed;
  }
}

/** Tick steps a reader takes in at a glance, times a power of ten. */
const NICE_STEPS = [1, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10];

/** The smallest nice step ≥ `step`. */
function niceStep(step: number): number {
  const power = 10 ** Math.floor(Math.log10(step));
  return NICE_STEPS.find((m) => m * power >= step * (1 - 1e-9))! * power;
}

/** `value` without the float noise that multiples of `step` pick up (0.30000000000000004 → 0.3). */
function tidy(value: number, step: number): number {
  return Number(value.toFixed(Math.max(0, 2 - Math.floor(Math.log10(step))))) || 0;
}

/**
 * A colour range covering min..max whose legend's five ticks (four equal
 * steps) fall on nice numbers. Water level is symmetric about 0 so that
 * white means the datum. A missing or flat range still gives a usable one.
 */
export function niceRange(min: number, max: number, variable: string): { min: number; max: number } {
  if (!Number.isFinite(min)) min = Number.isFinite(max) ? max : 0;
  if (!Number.isFinite(max)) max = min;
  if (min > max) [min, max] = [max, min];
  if (variable === 'elevation') {
    const extent = Math.max(Math.abs(min), Math.abs(max)) || 1;
    const step = niceStep(extent / 2);
    return { min: -tidy(2 * step, step), max: tidy(2 * step, step) };
  }
  if (min === max) max = min + (Math.abs(min) || 1);
  const low = (step: number): number => Math.floor(min / step + 1e-9) * step;
  let step = niceStep((max - min) / 4);
  // Flooring min to a multiple of the step can leave max past four steps; a larger nice step then fits.
  while (low(step) + 4 * step < max - 1e-9 * step) step = niceStep(step * 1.0001);
  return { min: tidy(low(step), step), max: tidy(low(step) + 4 * step, step) };
}
