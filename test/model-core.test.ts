import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { generateRectangleMesh } from '../core/mesh/generate.js';
import { buildDual } from '../model/dual.js';
import { computeEdgeFluxes, EDGE_STRIDE } from '../model/edgeFluxes.js';
import { hllNormalFlux, wallNormalFlux } from '../model/flux.js';
import { coriolisFromLatitude, projectNodes } from '../model/projection.js';
import { allocatePrimitives, computePrimitives, greenGauss } from '../model/reconstruction.js';
import { applyLocalSources, largePondDrag } from '../model/sources.js';
import { allocateState } from '../model/state.js';

const g = 9.81;

describe('median-dual geometry', () => {
  const mesh = generateRectangleMesh({ nx: 7, ny: 6, dx: 50, dy: 40, depth: () => 1, diagonals: 'alternating', jitter: 0.4, openSides: ['east'] });
  const dual = buildDual(mesh.x, mesh.y, mesh.triangles, mesh.openBoundaries);

  it('tiles the domain and closes every control volume', () => {
    expect(dual.area.reduce((s, a) => s + a, 0)).toBeCloseTo(300 * 200, 8);
    for (let i = 0; i < dual.nodeCount; i++) {
      let sx = 0;
      let sy = 0;
      for (let k = dual.nodeEdgeStart[i]; k < dual.nodeEdgeStart[i + 1]; k++) {
        const e = dual.nodeEdges[k] >> 1;
        const sign = dual.nodeEdges[k] & 1 ? -1 : 1;
        sx += sign * dual.edgeNx[e] * dual.edgeLength[e];
        sy += sign * dual.edgeNy[e] * dual.edgeLength[e];
      }
      for (let f = dual.nodeFaceStart[i]; f < dual.nodeFaceStart[i + 1]; f++) {
        sx += dual.faceNx[f] * dual.faceLength[f];
        sy += dual.faceNy[f] * dual.faceLength[f];
      }
      expect(Math.hypot(sx, sy)).toBeLessThan(1e-9);
    }
  });

  it('marks open faces only along the open boundary', () => {
    const open = mesh.openBoundaries[0].nodes;
    expect(Array.from(dual.openNodes)).toEqual(Array.from(open));
    for (let f = 0; f < dual.faceCount; f++) {
      const onEast = mesh.x[dual.faceNode[f]] === 300 && mesh.x[dual.faceOther[f]] === 300;
      expect(dual.faceOpen[f] >= 0).toBe(onEast);
      if (onEast) expect(dual.openNodes[dual.faceOpen[f]]).toBe(dual.faceNode[f]);
    }
  });

  it('computes exact gradients of linear fields at interior and boundary nodes', () => {
    fc.assert(
      fc.property(fc.double({ min: -5, max: 5, noNaN: true }), fc.double({ min: -5, max: 5, noNaN: true }), (a, b) => {
        const phi = Float64Array.from(mesh.x, (x, i) => a * x + b * mesh.y[i] + 3);
        const gx = new Float64Array(phi.length);
        const gy = new Float64Array(phi.length);
        greenGauss(dual, phi, gx, gy, 0, phi.length);
        for (let i = 0; i < phi.length; i++) {
          expect(gx[i]).toBeCloseTo(a, 9);
          expect(gy[i]).toBeCloseTo(b, 9);
        }
      }),
      { numRuns: 20 },
    );
  });

  it('rejects clockwise elements, naming them', () => {
    expect(() => buildDual(Float64Array.of(0, 1, 0), Float64Array.of(0, 0, 1), Int32Array.of(0, 2, 1), [])).toThrow(/element 1/);
  });
});

describe('coordinates', () => {
  it('projects lon/lat about the mean latitude so areas match the sphere', () => {
    const mesh = generateRectangleMesh({ nx: 5, ny: 5, dx: 0.05, origin: { x: -9, y: 38.5 } });
    const planar = projectNodes(mesh.x, mesh.y, 2);
    const dual = buildDual(planar.x, planar.y, mesh.triangles, []);
    const area = dual.area.reduce((s, a) => s + a, 0);
    const R = 6371000;
    const deg = Math.PI / 180;
    const sphere = R * R * 0.2 * deg * (Math.sin(38.7 * deg) - Math.sin(38.5 * deg));
    expect(Math.abs(area - sphere) / sphere).toBeLessThan(1e-4);
    const f = coriolisFromLatitude(Float64Array.of(45, -30));
    expect(f[0]).toBeCloseTo(1.0313e-4, 7);
    expect(f[1]).toBeCloseTo(-7.2921e-5, 8);
  });
});

interface Side { h: number; u: number; v: number; b: number }

/**
 * The first-order flux of one interior face whose normal points at angle
 * theta from `left` to `right`, per unit face length, in the edge layout
 * (mass, left node's momentum rate, right node's, speed): the edge of a
 * one-triangle mesh whose dual face is normal to it.
 */
function faceFlux(left: Side, right: Side, theta: number): Float64Array {
  const [c, s] = [Math.cos(theta), Math.sin(theta)];
  const dual = buildDual(Float64Array.of(0, c, 0.5 * c - s), Float64Array.of(0, s, 0.5 * s + c), Int32Array.of(0, 1, 2), []);
  const state = allocateState(3);
  state.h.set([left.h, right.h, left.h]);
  state.hu.set([left.h * left.u, right.h * right.u, 0]);
  state.hv.set([left.h * left.v, right.h * right.v, 0]);
  const bed = Float64Array.of(left.b, right.b, left.b);
  const prim = allocatePrimitives(3);
  computePrimitives(state, bed, 1e-9, prim, Int32Array.of(0, 1, 2), 0, 3);
  const e = [0, 1, 2].find((k) => dual.edgeNodes[2 * k] === 0 && dual.edgeNodes[2 * k + 1] === 1)!;
  const out = new Float64Array(EDGE_STRIDE * 3);
  computeEdgeFluxes(dual, state, bed, prim, g, false, out, Int32Array.of(e), 0, 1);
  return out.slice(EDGE_STRIDE * e, EDGE_STRIDE * (e + 1)).map((f) => f / dual.edgeLength[e]);
}

describe('fluxes', () => {
  const depth = fc.double({ min: 0.01, max: 50, noNaN: true });
  const speed = fc.double({ min: -5, max: 5, noNaN: true });
  const angle = fc.double({ min: 0, max: 2 * Math.PI, noNaN: true });

  it('reduce to the physical flux for equal states (consistency)', () => {
    fc.assert(
      fc.property(depth, speed, speed, (h, un, ut) => {
        const out = new Float64Array(3);
        hllNormalFlux(h, un, ut, h, un, ut, g, out, 0);
        expect(out[0]).toBeCloseTo(h * un, 9);
        expect(out[1]).toBeCloseTo(h * un * un + 0.5 * g * h * h, 7);
        expect(out[2]).toBeCloseTo(h * un * ut, 9);
      }),
    );
  });

  it('are antisymmetric: swapping sides and reversing the normal negates them', () => {
    const bed = fc.double({ min: -3, max: 3, noNaN: true });
    fc.assert(
      fc.property(depth, speed, speed, bed, depth, speed, speed, bed, angle, (hL, uL, vL, bL, hR, uR, vR, bR, theta) => {
        const left = { h: hL, u: uL, v: vL, b: bL };
        const right = { h: hR, u: uR, v: vR, b: bR };
        const a = faceFlux(left, right, theta);
        const b = faceFlux(right, left, theta + Math.PI);
        // Mass, and each node's momentum rate: what one side loses through the face the other, seen from the other side, gains.
        expect(a[0] + b[0]).toBeCloseTo(0, 8);
        for (let k = 1; k < 3; k++) {
          expect(a[k] + b[k + 2]).toBeCloseTo(0, 7);
          expect(a[k + 2] + b[k]).toBeCloseTo(0, 7);
        }
        expect(a[5]).toBeCloseTo(b[5], 9);
      }),
      { numRuns: 50 },
    );
  });

  it('balance still water next to a higher bed, wet or emerged', () => {
    fc.assert(
      fc.property(fc.double({ min: -10, max: 0, noNaN: true }), fc.double({ min: -10, max: 5, noNaN: true }), angle, (bL, bR, theta) => {
        const eta = 0.5;
        const hL = eta - bL;
        const hR = Math.max(0, eta - bR);
        const out = faceFlux({ h: hL, u: 0, v: 0, b: bL }, { h: hR, u: 0, v: 0, b: bR }, theta);
        expect(Math.abs(out[0])).toBeLessThan(1e-12);
        // Left node: the face pressure plus its correction is its own hydrostatic pressure g hL²/2 (and the right node's likewise).
        expect(out[1] * Math.cos(theta) + out[2] * Math.sin(theta)).toBeCloseTo(0.5 * g * hL * hL, 8);
        expect(out[3] * Math.cos(theta) + out[4] * Math.sin(theta)).toBeCloseTo(0.5 * g * hR * hR, 8);
      }),
      { numRuns: 50 },
    );
  });

  it('let no mass through walls and push back on inflow', () => {
    const out = new Float64Array(1);
    wallNormalFlux(2, 0, g, out, 0);
    expect(out[0]).toBeCloseTo(0.5 * g * 4, 12);
    wallNormalFlux(2, 1, g, out, 0);
    expect(out[0]).toBeGreaterThan(0.5 * g * 4);
  });
});

describe('local sources', () => {
  it('rotate momentum without changing its magnitude (Coriolis) and only slow it (friction)', () => {
    const state = allocateState(3);
    state.h.set([5, 5, 0.001]);
    state.hu.set([3, 3, 1]);
    state.hv.set([-1, -1, 1]);
    applyLocalSources(state, undefined, Float64Array.of(1e-4, 1e-4, 1e-4), 0.01, g, 600, Int32Array.of(0, 1, 2), 0, 3);
    expect(Math.hypot(state.hu[0], state.hv[0])).toBeCloseTo(Math.hypot(3, -1), 14);
    expect(Math.atan2(state.hv[0], state.hu[0]) - Math.atan2(-1, 3)).toBeCloseTo(-0.06, 4);
    expect(state.hu[2]).toBe(1);
    applyLocalSources(state, Float64Array.of(0.03, 0.03, 0.03), undefined, 0.01, g, 600, Int32Array.of(0, 1, 2), 0, 3);
    expect(Math.hypot(state.hu[0], state.hv[0])).toBeLessThan(Math.hypot(3, -1));
    expect(Math.hypot(state.hu[0], state.hv[0])).toBeGreaterThan(0);
  });

  it('uses the Large & Pond (1981) drag law', () => {
    expect(largePondDrag(5)).toBe(1.2e-3);
    expect(largePondDrag(20)).toBeCloseTo(1.79e-3, 12);
    expect(largePondDrag(40)).toBe(largePondDrag(25));
  });
});
