import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { generateRectangleMesh } from '../core/mesh/generate.js';
import { buildDual } from '../model/dual.js';
import { hllNormalFlux, hydrostaticFlux, wallNormalFlux } from '../model/flux.js';
import { coriolisFromLatitude, projectNodes } from '../model/projection.js';
import { greenGauss } from '../model/reconstruction.js';
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
    fc.assert(
      fc.property(depth, speed, speed, fc.double({ min: -3, max: 3, noNaN: true }), depth, speed, speed, fc.double({ min: -3, max: 3, noNaN: true }), angle,
        (hL, uL, vL, bL, hR, uR, vR, bR, theta) => {
          const a = new Float64Array(5);
          const b = new Float64Array(5);
          const nx = Math.cos(theta);
          const ny = Math.sin(theta);
          hydrostaticFlux(hL, uL, vL, bL, hR, uR, vR, bR, nx, ny, g, a, 0);
          hydrostaticFlux(hR, uR, vR, bR, hL, uL, vL, bL, -nx, -ny, g, b, 0);
          for (let k = 0; k < 3; k++) expect(a[k] + b[k]).toBeCloseTo(0, 8);
          expect(a[3]).toBeCloseTo(b[4], 8);
        }),
    );
  });

  it('balance still water next to a higher bed, wet or emerged', () => {
    fc.assert(
      fc.property(fc.double({ min: -10, max: 0, noNaN: true }), fc.double({ min: -10, max: 5, noNaN: true }), angle, (bL, bR, theta) => {
        const eta = 0.5;
        const hL = eta - bL;
        const hR = Math.max(0, eta - bR);
        const out = new Float64Array(5);
        hydrostaticFlux(hL, 0, 0, bL, hR, 0, 0, bR, Math.cos(theta), Math.sin(theta), g, out, 0);
        expect(Math.abs(out[0])).toBeLessThan(1e-12);
        // Left side: the face pressure plus its correction is the left hydrostatic pressure g hL²/2.
        const normal = out[1] * Math.cos(theta) + out[2] * Math.sin(theta);
        expect(normal + out[3]).toBeCloseTo(0.5 * g * hL * hL, 8);
      }),
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
    applyLocalSources(state, undefined, Float64Array.of(1e-4, 1e-4, 1e-4), 0.01, g, 600, 0, 3);
    expect(Math.hypot(state.hu[0], state.hv[0])).toBeCloseTo(Math.hypot(3, -1), 14);
    expect(Math.atan2(state.hv[0], state.hu[0]) - Math.atan2(-1, 3)).toBeCloseTo(-0.06, 4);
    expect(state.hu[2]).toBe(1);
    applyLocalSources(state, Float64Array.of(0.03, 0.03, 0.03), undefined, 0.01, g, 600, 0, 3);
    expect(Math.hypot(state.hu[0], state.hv[0])).toBeLessThan(Math.hypot(3, -1));
    expect(Math.hypot(state.hu[0], state.hv[0])).toBeGreaterThan(0);
  });

  it('uses the Large & Pond (1981) drag law', () => {
    expect(largePondDrag(5)).toBe(1.2e-3);
    expect(largePondDrag(20)).toBeCloseTo(1.79e-3, 12);
    expect(largePondDrag(40)).toBe(largePondDrag(25));
  });
});
