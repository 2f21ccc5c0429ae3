/**
 * A site's runs: every cycle with its status; while one runs, a live
 * progress bar, the stage it is in and what it reported; cancel; and a
 * cycle started on demand (the latest per the site's schedule, or a chosen time).
 */
import { ApiError, api } from '../api/client';
import type { CycleView, RunStart, SiteView } from '../api/types';
import type { View } from '../router';
import { formatNumber, formatTime, h, replaceChildren } from '../ui/dom';
import { isUnfinished, statusBadge } from './cycleStatus';
import './siteRuns.css';

/** The workflow's stages in order (workflows/forecastCycle.ts STAGES). */
const STAGES = ['snapshot', 'forcings', 'prepare', 'model', 'post-process', 'publish'] as const;
const STAGE_LABELS: Record<(typeof STAGES)[number], string> = {
  snapshot: 'Site snapshot',
  forcings: 'Forcings',
  prepare: 'Prepare run',
  model: 'Model',
  'post-process': 'Products and floods',
  publish: 'Publish',
};

/** While a cycle runs the page asks every second; otherwise it only looks for cycles started elsewhere (a schedule, another user). */
const RUNNING_POLL_MS = 1000;
const IDLE_POLL_MS = 10_000;
/** A started cycle enters the catalog when its workflow's first step runs: look often until it shows. */
const STARTING_POLL_FOR_MS = 30_000;

function duration(from: string | null, to: string | null): string {
  if (!from) return '–';
  const seconds = Math.round(((to ? Date.parse(to) : Date.now()) - Date.parse(from)) / 1000);
  return seconds < 120 ? `${seconds} s` : `${Math.floor(seconds / 60)} min ${seconds % 60} s`;
}

function stageTimeline(cycle: CycleView): HTMLElement {
  const current = cycle.live?.stage ?? cycle.stage;
  const at = STAGES.indexOf(current as (typeof STAGES)[number]);
  return h(
    'ol',
    { class: 'stage-timeline', 'aria-label': 'stages' },
    STAGES.map((stage, i) => {
      const state = cycle.status === 'completed' || i < at ? 'done' : i === at ? (cycle.status === 'failed' ? 'failed' : 'current') : 'waiting';
      return h('li', { class: `stage stage-${state}`, dataset: { stage, state }, 'aria-current': state === 'current' ? 'step' : null }, STAGE_LABELS[stage]);
    }),
  );
}

function liveDetail(cycle: CycleView): HTMLElement {
  const percent = cycle.live?.percent ?? (cycle.progress ?? 0) * 100;
  const model = cycle.live?.modelPercent;
  return h(
    'div',
    { class: 'live', dataset: { testid: 'live-progress' } },
    h('label', { for: `progress-${cycle.cycle}` }, `Cycle ${formatNumber(percent, 0)} %`, model === null || model === undefined ? '' : ` — model ${formatNumber(model, 0)} %`),
    h('progress', { id: `progress-${cycle.cycle}`, max: 100, value: percent.toFixed(1) }),
    stageTimeline(cycle),
    cycle.live && cycle.live.messages.length > 0 ? h('ul', { class: 'messages' }, cycle.live.messages.map((m) => h('li', {}, m))) : null,
  );
}

/** Whether the run continued the previous cycle or spun up from rest, known once its run directory is prepared. */
function initialStateNote(start: RunStart | undefined): HTMLElement | null {
  if (!start) return null;
  const text = start.kind === 'hot' ? `hot start from ${formatTime(start.from)}` : `cold start (${start.spinUpHours} h spin-up): ${start.reason}`;
  return h('div', { class: `initial-state initial-state-${start.kind}`, dataset: { testid: 'initial-state', kind: start.kind } }, text);
}

export async function siteRuns(siteId: string): Promise<View> {
  const site: SiteView = await api.site(siteId);
  let cycles = await api.cycles(siteId);
  let timer: number | undefined;
  let disposed = false;
  let startingUntil = 0;

  const feedback = h('p', { class: 'feedback', role: 'status', 'aria-live': 'polite' });
  const table = h('div', { class: 'cycles' });
  const cycleInput = h('input', { type: 'datetime-local', id: 'cycle-time', name: 'cycle-time', step: 3600 });

  async function start(cycleTime?: string): Promise<void> {
    try {
      const started = await api.startCycle(siteId, cycleTime);
      startingUntil = Date.now() + STARTING_POLL_FOR_MS;
      feedback.textContent = `${started.started ? 'Started' : 'Already running:'} cycle ${formatTime(started.cycle)}`;
      await refresh();
      // The idle poll may be 10 s away, longer than a small cycle takes: poll at the running rate from now.
      schedule();
    } catch (error) {
      feedback.textContent = `Could not start: ${(error as Error).message}`;
    }
  }

  async function cancel(cycle: CycleView): Promise<void> {
    try {
      await api.cancelCycle(siteId, cycle.cycle);
      feedback.textContent = `Cancelling cycle ${formatTime(cycle.cycle)}…`;
      await refresh();
    } catch (error) {
      feedback.textContent = `Could not cancel: ${(error as Error).message}`;
    }
  }

  function row(cycle: CycleView): HTMLElement[] {
    const viewer = `#/sites/${encodeURIComponent(siteId)}/cycles/${encodeURIComponent(cycle.cycle)}`;
    const main = h(
      'tr',
      { dataset: { cycle: cycle.cycle, status: cycle.status } },
      h('th', { scope: 'row' }, formatTime(cycle.cycle), initialStateNote(cycle.summary?.initialState)),
      h('td', {}, statusBadge(cycle.status), cycle.degraded.length > 0 ? h('div', { class: 'degraded' }, `degraded: ${cycle.degraded.join(', ')}`, degradedReasons(cycle)) : null),
      h('td', {}, isUnfinished(cycle.status) ? (cycle.live?.stage ?? cycle.stage ?? '–') : cycle.status === 'completed' ? 'done' : (cycle.stage ?? '–')),
      h('td', {}, formatTime(cycle.startedAt)),
      h('td', {}, duration(cycle.startedAt, cycle.finishedAt)),
      h(
        'td',
        {},
        // A flex box inside the cell: a flex cell itself would leave the table's row layout.
        h(
          'div',
          { class: 'actions' },
          cycle.status === 'completed' ? h('a', { class: 'button', href: viewer, dataset: { action: 'view' } }, 'View forecast') : null,
          isUnfinished(cycle.status) ? h('button', { class: 'danger', type: 'button', dataset: { action: 'cancel' }, onclick: () => void cancel(cycle) }, 'Cancel') : null,
        ),
      ),
    );
    const rows = [main];
    if (isUnfinished(cycle.status)) rows.push(h('tr', { class: 'detail' }, h('td', { colspan: 6 }, liveDetail(cycle))));
    if (cycle.error) rows.push(h('tr', { class: 'detail' }, h('td', { colspan: 6, class: 'error-text' }, `Failed in ${cycle.stage ?? 'an unknown stage'}: ${cycle.error}`)));
    return rows;
  }

  function render(): void {
    if (cycles.length === 0) {
      replaceChildren(table, h('p', { class: 'muted' }, 'No cycle yet: start one.'));
      return;
    }
    replaceChildren(
      table,
      h(
        'table',
        {},
        h('thead', {}, h('tr', {}, h('th', {}, 'Cycle'), h('th', {}, 'Status'), h('th', {}, 'Stage'), h('th', {}, 'Started'), h('th', {}, 'Took'), h('th', {}, ''))),
        h('tbody', {}, cycles.flatMap(row)),
      ),
    );
  }

  async function refresh(): Promise<void> {
    try {
      const listed = await api.cycles(siteId);
      // The listing has no live progress: ask each unfinished cycle for its own.
      cycles = await Promise.all(listed.map((cycle) => (isUnfinished(cycle.status) ? api.cycle(siteId, cycle.cycle).catch(() => cycle) : cycle)));
      render();
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      feedback.textContent = `Could not refresh: ${error.message}`;
    }
  }

  /** (Re)arms the one pending poll. */
  function schedule(): void {
    window.clearTimeout(timer);
    if (disposed) return;
    const delay = cycles.some((c) => isUnfinished(c.status)) || Date.now() < startingUntil ? RUNNING_POLL_MS : IDLE_POLL_MS;
    timer = window.setTimeout(() => void refresh().finally(schedule), delay);
  }

  const { config, mesh } = site;
  const element = h(
    'section',
    { class: 'page site-runs' },
    h('p', {}, h('a', { href: '#/' }, '← All sites')),
    h('h1', {}, config.name),
    h(
      'p',
      { class: 'muted' },
      `${config.id} · ${mesh.stats.nodes.toLocaleString('en')} nodes, ${mesh.stats.triangles.toLocaleString('en')} triangles · ${config.schedule.enabled ? `daily at ${String(config.schedule.hourUtc).padStart(2, '0')}:00 UTC` : 'no daily schedule'} · ${config.schedule.forecastHours ?? 72} h forecast`,
    ),
    h(
      'div',
      { class: 'run-controls' },
      h('button', { class: 'primary', type: 'button', dataset: { action: 'run-now' }, onclick: () => void start() }, 'Run now'),
      h('a', { class: 'button', href: `#/sites/${encodeURIComponent(siteId)}/cycles/latest` }, 'Latest forecast'),
      h(
        'form',
        {
          class: 'run-at',
          onsubmit: (event: Event) => {
            event.preventDefault();
            if (!cycleInput.value) {
              feedback.textContent = 'Choose the cycle time (UTC) first.';
              return;
            }
            void start(new Date(`${cycleInput.value}:00Z`).toISOString());
          },
        },
        h('label', { for: 'cycle-time' }, 'Cycle time (UTC)'),
        cycleInput,
        h('button', { type: 'submit', dataset: { action: 'run-at' } }, 'Run this cycle'),
      ),
    ),
    feedback,
    h('h2', {}, 'Runs'),
    table,
  );
  render();
  schedule();
  return {
    element,
    dispose: () => {
      disposed = true;
      window.clearTimeout(timer);
    },
  };
}

/** Why each forcing fell back (cycles from before deadlines existed have no reasons). */
function degradedReasons(cycle: CycleView): HTMLElement | null {
  const reasons = cycle.summary?.degradedReasons ?? [];
  return reasons.length > 0 ? h('ul', { class: 'degraded-reasons' }, reasons.map((r) => h('li', {}, r))) : null;
}
