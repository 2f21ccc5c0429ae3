/**
 * Throughput of the built-in model: triangle sub-steps per second (one
 * sub-step = one full SSP-RK2 step: two flux evaluations) on a ~100 k
 * triangle mesh with wetting and drying and Manning friction, with 1 and 2
 * threads, global then local time stepping. With local stepping a sub-step is
 * one of the finest level, so the figure is the global throughput that would
 * take as long. Prints figures only.
 */
import { ShallowWaterModel } from '../model/stepper.js';
import { generateRectangleMesh } from '../core/mesh/generate.js';

const mesh = generateRectangleMesh({
  nx: 251, ny: 201, dx: 100, diagonals: 'alternating', jitter: 0.3,
  depth: (x, y) => 20 - 22 * (x / 25_000) + 3 * Math.sin(y / 2000),
});
const triangles = mesh.triangles.length / 3;

for (const [localTimeStepping, threads] of [[false, 1], [false, 2], [true, 1], [true, 2]] as const) {
  const model = new ShallowWaterModel(mesh, { manning: 0.025, threads, localTimeStepping });
  await model.ready();
  const { h } = model.state;
  for (let i = 0; i < h.length; i++) {
    const bump = Math.exp(-(((mesh.x[i] - 8000) ** 2 + (mesh.y[i] - 10_000) ** 2) / 2000 ** 2));
    h[i] = Math.max(0, 0.5 * bump - model.bed[i]);
  }
  model.step(10);
  const before = model.stats.substeps;
  const t0 = performance.now();
  for (let s = 0; s < 10; s++) model.step(10);
  const seconds = (performance.now() - t0) / 1000;
  const substeps = model.stats.substeps - before;
  await model.close();
  console.log(JSON.stringify({
    triangles,
    nodes: model.dual.nodeCount,
    edges: model.dual.edgeCount,
    threads,
    localTimeStepping,
    substeps,
    seconds: Number(seconds.toFixed(2)),
    triangleSubstepsPerSecond: Math.round((triangles * substeps) / seconds),
    simulatedSecondsPerWallSecond: Number((100 / seconds).toFixed(1)),
  }));
}
