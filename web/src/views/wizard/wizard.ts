/**
 * The new-site wizard: name → mesh → tide and forcings → stations → flood
 * thresholds → schedule and model → review and save.
 *
 * Every step's form stays in the page (hidden when not shown), so going back
 * keeps everything entered. Before Next, the draft config (the steps so far
 * as entered, the later ones at their defaults) goes to POST
 * /api/sites/check with the checked mesh's facts, and the problems of the
 * current step's fields are shown next to them. Nothing is stored before
 * Save, which sends the config and the mesh to POST /api/sites.
 */
import { ApiError, api } from '../../api/client';
import type { AppConfig, ComputeResource, SiteConfig } from '../../api/types';
import { Router, type View } from '../../router';
import { h, replaceChildren } from '../../ui/dom';
import { meshStep } from './meshStep';
import { nameStep } from './nameStep';
import { clearControlProblems, clearProblems, namesField, showProblems } from './problems';
import { reviewStep, type SiteProblem } from './reviewStep';
import { scheduleStep } from './scheduleStep';
import { stationsStep } from './stationsStep';
import { stepOfPointer, stepOfProblem, type DraftConfig, type StepName, type StepProblem, type WizardStep } from './step';
import { thresholdsStep } from './thresholdsStep';
import { tideStep } from './tideStep';
import { WizardMap } from './wizardMap';
import './wizard.css';

/** Steps whose work is on the map. */
const MAP_STEPS: ReadonlySet<StepName> = new Set(['mesh', 'stations', 'review']);

/** Problems with a site the API refused to save, each with the step that can fix it. */
function saveProblems(error: ApiError): SiteProblem[] {
  if (error.problems.length === 0) {
    // A conflict is about the id; a refused upload, about the mesh.
    const step: StepName = error.code === 'site-conflict' ? 'name' : error.status === 413 || error.code.startsWith('mesh') ? 'mesh' : 'review';
    return [{ step, field: step === 'name' ? '/id' : step === 'mesh' ? 'mesh' : '', message: error.message, text: error.message }];
  }
  return error.problems.map((problem) => {
    const step = stepOfProblem(problem);
    if (problem.path !== undefined) return { step, field: problem.path, message: problem.message, text: `${problem.path || '/'}: ${problem.message}` };
    if (problem.file !== undefined) {
      const at = problem.line === undefined ? '' : `line ${problem.line}: `;
      return { step, field: 'mesh', message: `${at}${problem.message}`, text: `${problem.file} ${at}${problem.message}` };
    }
    const field = problem.field === 'coordinates' ? '/coordinates' : (problem.field ?? '');
    return { step, field, message: problem.message, text: `${problem.field ?? 'form'}: ${problem.message}` };
  });
}

/** `resources`: the installation's compute resources, for the schedule and model step to choose among. */
export function siteWizard(config: AppConfig, resources: readonly ComputeResource[]): View {
  const map = new WizardMap(config);
  const mesh = meshStep(map);
  const stations = stationsStep(map);
  const steps: WizardStep[] = [nameStep(), mesh, tideStep(() => mesh.check()?.facts?.openBoundaryNodes), stations, thresholdsStep(() => stations.stations()), scheduleStep(resources)];
  const review = reviewStep({ config: () => draftConfig(steps.length - 1), mesh, stepTitle, goto });
  steps.push(review);

  let current = 0;
  let busy = false;

  const indexOf = (name: StepName) => steps.findIndex((step) => step.name === name);
  function stepTitle(name: StepName): string {
    const index = indexOf(name);
    return `Step ${index + 1}: ${steps[index].title}`;
  }

  /** Steps up to `through` as entered, later ones at their defaults: a later step's unfinished fields do not hide an earlier step's problems. */
  function draftConfig(through: number): DraftConfig {
    return Object.assign({}, ...steps.map((step, i) => (i <= through ? step.part() : step.defaults()))) as DraftConfig;
  }

  const headings = steps.map((step) => {
    const heading = h('h2', { tabindex: -1 }, stepTitle(step.name));
    step.element.prepend(heading);
    step.element.classList.add('wizard-step');
    return heading;
  });
  const progress = h('ol', {});
  const summary = h('div', { class: 'wizard-summary', role: 'alert', hidden: true, 'data-testid': 'step-problems' });
  const status = h('p', { class: 'wizard-status', role: 'status', 'aria-live': 'polite' });
  const back = h('button', { type: 'button', 'data-action': 'back', onclick: () => show(current - 1) }, 'Back');
  const next = h('button', { type: 'submit', class: 'primary', 'data-action': 'next' }, 'Next');
  const save = h('button', { type: 'submit', class: 'primary', 'data-action': 'save' }, 'Save site');
  const form = h(
    'form',
    {
      class: 'wizard-form',
      novalidate: true,
      onsubmit: (event: Event) => {
        event.preventDefault();
        void (steps[current] === review ? saveSite() : goNext());
      },
    },
    steps.map((step) => step.element),
    h('div', { class: 'wizard-nav' }, back, next, save, status),
  );
  const changed = (event: Event) => {
    if (event.target instanceof HTMLElement) clearControlProblems(event.target, summary);
  };
  form.addEventListener('input', changed);
  form.addEventListener('change', changed);
  const body = h('div', { class: 'wizard-body' }, map.element, form);
  const element = h('section', { class: 'page wizard' }, h('h1', {}, 'New site'), h('nav', { class: 'wizard-progress', 'aria-label': 'wizard steps' }, progress), summary, body);

  function renderProgress(): void {
    replaceChildren(
      progress,
      steps.map((step, i) => {
        const label = `${i + 1}. ${step.title}`;
        return h(
          'li',
          { 'aria-current': i === current ? 'step' : null, class: i < current ? 'done' : null, 'data-step-indicator': step.name },
          // Earlier steps can be revisited from here; later ones only through Next, which checks each.
          i < current ? h('button', { type: 'button', class: 'link-button', 'data-action': 'goto', 'data-target': step.name, onclick: () => show(i) }, label) : h('span', {}, label),
        );
      }),
    );
  }

  function setBusy(value: boolean, text = ''): void {
    busy = value;
    next.disabled = value;
    save.disabled = value;
    form.setAttribute('aria-busy', String(value));
    status.textContent = text;
  }

  function show(index: number, problems: StepProblem[] = []): void {
    map.onClick(undefined);
    current = index;
    const step = steps[index];
    steps.forEach((s, i) => (s.element.hidden = i !== index));
    clearProblems(form, summary);
    step.enter?.();
    renderProgress();
    back.hidden = index === 0;
    next.hidden = step === review;
    save.hidden = step !== review;
    const withMap = MAP_STEPS.has(step.name);
    body.classList.toggle('with-map', withMap);
    map.element.hidden = !withMap;
    if (withMap) requestAnimationFrame(() => map.show());
    if (problems.length > 0) showProblems(step.element, summary, problems, `Fix these in ${stepTitle(step.name)}:`);
    else headings[index].focus();
    if (step === review) void checkAll();
  }

  function goto(name: StepName, problems: StepProblem[] = []): void {
    show(indexOf(name), problems);
  }

  async function goNext(): Promise<void> {
    if (busy) return;
    const step = steps[current];
    setBusy(true, 'Checking…');
    try {
      const local = (await step.localProblems?.()) ?? [];
      const problems =
        local.length > 0
          ? local
          : (await api.checkSite(draftConfig(current), mesh.check()?.facts ?? undefined)).problems
              // A step also shows a problem of another step's field that one of its controls names: a choice made here that makes that field wrong.
              .filter((p) => p.path !== undefined && (stepOfPointer(p.path) === step.name || namesField(step.element, p.path)))
              .map((p) => ({ field: p.path as string, message: p.message }));
      setBusy(false);
      if (problems.length > 0) showProblems(step.element, summary, problems, `Fix these before going on (${problems.length}):`);
      else show(current + 1);
    } catch (error) {
      setBusy(false, `The check could not be made: ${(error as Error).message}`);
    }
  }

  /** The whole config against the mesh, so that the review lists what Save would refuse. */
  async function checkAll(): Promise<void> {
    try {
      const { problems } = await api.checkSite(draftConfig(steps.length - 1), mesh.check()?.facts ?? undefined);
      if (steps[current] !== review) return;
      const found = problems.map((p): SiteProblem => ({ step: stepOfProblem(p), field: p.path ?? '', message: p.message, text: `${p.path || '/'}: ${p.message}` }));
      review.showProblems(found, 'Saving would fail:');
    } catch (error) {
      status.textContent = `The check could not be made: ${(error as Error).message}`;
    }
  }

  async function saveSite(): Promise<void> {
    const file = mesh.file();
    if (busy || !file) return;
    const site = draftConfig(steps.length - 1) as SiteConfig;
    setBusy(true, 'Saving…');
    try {
      await api.createSite(site, file);
      setBusy(false, 'Saved.');
      Router.go(`/sites/${encodeURIComponent(site.id)}`);
    } catch (error) {
      if (!(error instanceof ApiError)) {
        setBusy(false, `The site could not be saved: ${(error as Error).message}`);
        return;
      }
      setBusy(false);
      review.showProblems(saveProblems(error), 'The site was not saved:');
    }
  }

  show(0);
  return { element, dispose: () => map.dispose() };
}
