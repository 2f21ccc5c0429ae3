/**
 * Step 7: everything entered, step by step, with the mesh's statistics; a
 * way back to each step; and, when the check or the save finds problems,
 * each one with the step where it can be fixed.
 */
import type { SiteConfig, WavesForcing } from '../../api/types';
import { formatNumber, h, replaceChildren } from '../../ui/dom';
import { actionButton } from './fields';
import { meshStatsTable, type MeshStep } from './meshStep';
import { ENGINE_NAMES } from './scheduleStep';
import type { DraftConfig, StepName, StepProblem, WizardStep } from './step';

/** A problem found with the whole site, and the step that can fix it. */
export interface SiteProblem extends StepProblem {
  step: StepName;
  /** The problem as the API words it, field or line included. */
  text: string;
}

export interface ReviewStep extends WizardStep {
  showProblems(problems: readonly SiteProblem[], heading: string): void;
}

export interface ReviewContext {
  /** The whole config as entered. */
  config(): DraftConfig;
  mesh: MeshStep;
  /** 'Step 4: Stations' */
  stepTitle(step: StepName): string;
  goto(step: StepName, problems?: StepProblem[]): void;
}

const hours = (hour: unknown) => `${String(hour).padStart(2, '0')}:00 UTC`;

function forcingText(forcing: WavesForcing | undefined): string {
  if (!forcing) return 'none';
  if (forcing.type === 'constant') return `constant: Hs ${forcing.sigWaveHeight} m, Tp ${forcing.peakPeriod} s, from ${forcing.meanWaveDirection}°`;
  const source = forcing.type === 'file' ? `file ${forcing.path}` : `NCSS ${forcing.url}`;
  return `${source} (deadline ${forcing.deadlineHours} h after the cycle time)`;
}

function tideText(tide: SiteConfig['tide']): HTMLElement {
  const z0 = tide.z0 === undefined ? '' : `; mean level z0 = ${tide.z0} m`;
  if (tide.type === 'atlas') return h('p', {}, `Tidal atlas ${tide.path}: ${tide.constituents.join(', ')}${z0}`);
  return h(
    'div',
    {},
    h('p', {}, `Harmonic constants${z0}`),
    h(
      'ul',
      {},
      tide.boundaries.map((boundary, b) =>
        h(
          'li',
          {},
          `Open boundary ${b + 1}: `,
          boundary.type === 'uniform' ? boundary.constituents.map((c) => `${c.name} ${c.amplitude} m ${c.phase}°`).join(', ') : 'per-node constants',
        ),
      ),
    ),
  );
}

function list(items: string[], none: string): HTMLElement {
  return items.length === 0 ? h('p', { class: 'muted' }, none) : h('ul', {}, items.map((item) => h('li', {}, item)));
}

export function reviewStep(context: ReviewContext): ReviewStep {
  const problems = h('div', { class: 'wizard-site-problems', role: 'alert', 'data-testid': 'save-problems', hidden: true });
  const summary = h('div', { class: 'wizard-review' });

  function section(step: StepName, ...content: (Node | string | false | null | undefined)[]): HTMLElement {
    return h(
      'section',
      { class: 'wizard-review-step', 'data-review': step },
      h('div', { class: 'wizard-review-heading' }, h('h3', {}, context.stepTitle(step)), actionButton('edit', 'Edit', () => context.goto(step), { 'data-target': step, 'aria-label': `Edit ${context.stepTitle(step)}` })),
      ...content,
    );
  }

  function render(): void {
    // Every step before this one passed its check, so the config has its shape.
    const config = context.config() as SiteConfig;
    const check = context.mesh.check();
    const { schedule, model, thresholds } = config;
    replaceChildren(
      summary,
      section('name', h('dl', {}, h('dt', {}, 'Name'), h('dd', {}, config.name), h('dt', {}, 'Id'), h('dd', {}, config.id))),
      section(
        'mesh',
        h('p', {}, `${context.mesh.file()?.name ?? 'hgrid.gr3'}, ${config.coordinates.ics === 2 ? 'longitude/latitude' : `projected (${config.coordinates.crs})`}`),
        check?.stats ? meshStatsTable(check.stats) : null,
        check && check.problems.length > 0 && h('p', { class: 'muted' }, `${check.problems.length} warning${check.problems.length === 1 ? '' : 's'} (see the mesh step)`),
      ),
      section(
        'tide',
        tideText(config.tide),
        h(
          'dl',
          {},
          (['atmosphere', 'ocean', 'waves'] as const).flatMap((kind) => [h('dt', {}, kind[0].toUpperCase() + kind.slice(1)), h('dd', {}, forcingText(config.forcings[kind]))]),
        ),
      ),
      section('stations', list(config.stations.map((s) => `${s.id} — ${s.name} (${s.lon}, ${s.lat})`), 'No stations.')),
      section(
        'thresholds',
        list(
          [
            ...(thresholds.stationLevel ?? []).map((t) => `${t.name}: level ${t.level} m at ${t.stationId}`),
            ...(thresholds.waveHeight ?? []).map((t) => `${t.name}: wave height ${t.height} m at ${t.stationId}`),
            ...(thresholds.floodedArea === undefined ? [] : [`flooded area above ${thresholds.floodedArea} km²`]),
          ],
          'No thresholds: forecasts raise no alerts.',
        ),
      ),
      section(
        'schedule',
        h(
          'dl',
          {},
          h('dt', {}, 'Daily run'),
          h('dd', {}, schedule.enabled ? `every day at ${hours(schedule.hourUtc)}` : 'none (runs start on demand)'),
          h('dt', {}, 'Forecast'),
          h('dd', {}, `${schedule.forecastHours} h from the cycle at ${hours(schedule.cycleHourUtc)}, after ${schedule.spinUpHours} h of spin-up`),
          h('dt', {}, 'Compute'),
          h('dd', { 'data-testid': 'review-compute' }, `${ENGINE_NAMES[model.engine ?? 'built-in']} on ${model.resource ?? 'local'}`),
          h('dt', {}, 'Model'),
          h('dd', {}, `dt ${model.dt} s, output every ${model.nspool} steps (${formatNumber((model.dt * model.nspool) / 60, 1)} min), Manning's n ${model.manning ?? 'default'}`),
        ),
      ),
    );
  }

  return {
    name: 'review',
    title: 'Review and save',
    element: h('section', { 'data-step': 'review' }, problems, summary),
    part: () => ({}),
    defaults: () => ({}),
    enter: () => {
      problems.hidden = true;
      render();
    },
    showProblems(found, heading) {
      problems.hidden = found.length === 0;
      replaceChildren(
        problems,
        h('p', { class: 'wizard-summary-heading' }, heading),
        h(
          'ul',
          {},
          found.map((problem) =>
            h(
              'li',
              {},
              problem.text,
              ' ',
              actionButton('goto', `Go to ${context.stepTitle(problem.step)}`, () => context.goto(problem.step, found.filter((p) => p.step === problem.step)), { 'data-target': problem.step, class: 'link-button' }),
            ),
          ),
        ),
      );
      if (found.length > 0) problems.querySelector('button')?.focus();
    },
  };
}
