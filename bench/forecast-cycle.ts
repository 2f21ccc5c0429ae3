/**
 * The demo site's forecast cycle end to end on a real Temporal dev server
 * (24 h spin-up + 72 h forecast), and where its wall time goes: each stage,
 * the time no activity was running (orchestration: workflow tasks,
 * scheduling, retries' waits; target under 2 %), and as a baseline measured
 * in the same run, the model program alone on the same run directory; the
 * model job's own split (solver, boundary, atmosphere, wave step, output).
 * Prints figures only.
 *
 *   npm run build && node --import tsx bench/forecast-cycle.ts
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DefaultLogger, Runtime } from '@temporalio/worker';

import { openCatalog } from '../activities/catalog.js';
import type { CycleSummary } from '../activities/cycle.js';
import { installDemoSite } from '../server/demo/install.js';
import { projectRoot } from '../core/project.js';
import { TemporalCycles } from '../server/temporalCycles.js';
import { createCycleWorker } from '../server/worker.js';
import { bundleWorkflows, startDevServer } from '../test/support/temporalServer.js';

Runtime.install({ logger: new DefaultLogger('WARN') });
const dataDir = await mkdtemp(join(tmpdir(), 'coastcast-bench-cycle-'));
const server = await startDevServer();
const catalog = openCatalog(dataDir);
try {
  await installDemoSite(catalog, join(dataDir, 'uploads'));
  const worker = await createCycleWorker({
    temporal: { address: server.env.address, namespace: 'default', tls: undefined, apiKey: undefined },
    dataDir,
    catalog,
    workflowBundle: await bundleWorkflows(),
  });
  const running = worker.run();
  const { workflowId } = await new TemporalCycles(server.env.client).start('demo', new Date('2026-11-25T00:00:00Z'));
  const handle = server.env.client.workflow.getHandle(workflowId);
  const summary = (await handle.result()) as CycleSummary;
  worker.shutdown();
  await running;

  // From the history: the workflow's span, and the union of its activities' spans (scheduled → closed).
  const events = (await handle.fetchHistory()).events ?? [];
  const at = (e: (typeof events)[number]) => Number(e.eventTime!.seconds) * 1000 + e.eventTime!.nanos! / 1e6;
  const scheduled = new Map<string, number>();
  const spans: [number, number][] = [];
  for (const e of events) {
    if (e.activityTaskScheduledEventAttributes) scheduled.set(String(e.eventId), at(e));
    const closed = e.activityTaskCompletedEventAttributes ?? e.activityTaskFailedEventAttributes ?? e.activityTaskTimedOutEventAttributes;
    if (closed) spans.push([scheduled.get(String(closed.scheduledEventId))!, at(e)]);
  }
  const total = at(events.at(-1)!) - at(events[0]);
  spans.sort((a, b) => a[0] - b[0]);
  let covered = 0;
  let end = -Infinity;
  for (const [from, to] of spans) {
    if (to <= end) continue;
    covered += to - Math.max(from, end);
    end = to;
  }
  const stages = Object.fromEntries(summary.stages.filter((s) => s.finishedAt).map((s) => [s.stage, Number(((Date.parse(s.finishedAt!) - Date.parse(s.startedAt)) / 1000).toFixed(3))]));

  // Baseline: the model program by itself on the cycle's run directory (outputs written again).
  const t0 = performance.now();
  const model = spawn(process.execPath, [join(projectRoot(), 'dist', 'server', 'cli.js'), 'model', 'run', summary.runDir], { stdio: 'ignore' });
  const [code] = await once(model, 'exit');
  if (code !== 0) throw new Error(`model run exited ${code}`);
  const modelAlone = (performance.now() - t0) / 1000;

  console.log(JSON.stringify({
    bench: 'demo forecast cycle (24 h spin-up + 72 h forecast)',
    triangles: catalog.getSite('demo').mesh.stats.triangles,
    cycle_wall_s: Number((total / 1000).toFixed(2)),
    stages_s: stages,
    activities: spans.length,
    outside_activities_s: Number(((total - covered) / 1000).toFixed(3)),
    outside_activities_share: Number(((total - covered) / total).toFixed(4)),
    model_job_wall_s: summary.model.wall_s,
    model_parts_s: summary.model.summary.engine === undefined ? summary.model.summary.timing_s : null,
    model_alone_wall_s: Number(modelAlone.toFixed(2)),
    cycle_over_model_alone: Number((total / 1000 / modelAlone).toFixed(3)),
  }));
} finally {
  catalog.close();
  await server.stop();
  await rm(dataDir, { recursive: true, force: true });
}
