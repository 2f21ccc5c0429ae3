/**
 * Step 6: when the daily forecast runs and how long it is, where the model
 * runs and which model it is, and the model's time step, output interval
 * and friction.
 */
import type { ComputeResource, ModelEngine } from '../../api/types';
import { h, replaceChildren } from '../../ui/dom';
import { controlId, labelled, numberInput, readNumber } from './fields';
import type { DraftConfig, WizardStep } from './step';

const DEFAULTS = {
  schedule: { enabled: true, hourUtc: 3, cycleHourUtc: 0, forecastHours: 72, spinUpHours: 24 },
  model: { resource: 'local', engine: 'built-in', dt: 60, nspool: 10, manning: 0.025 },
};

export const ENGINE_NAMES: Record<ModelEngine, string> = { 'built-in': 'Built-in model', schism: 'SCHISM' };

const RESOURCE_TYPES: Record<ComputeResource['type'], string> = { local: 'this machine', slurm: 'SLURM cluster', container: 'container' };

/** `resources`: the installation's, as GET /api/resources lists them. */
export function scheduleStep(resources: readonly ComputeResource[]): WizardStep {
  const { schedule, model } = DEFAULTS;
  const enabled = h('input', { type: 'checkbox', id: controlId('enabled'), name: 'enabled', checked: schedule.enabled, 'data-field': '/schedule/enabled' });
  const hourUtc = numberInput('hourUtc', '/schedule/hourUtc', schedule.hourUtc, { min: 0, max: 23, step: 1 });
  const cycleHourUtc = numberInput('cycleHourUtc', '/schedule/cycleHourUtc', schedule.cycleHourUtc, { min: 0, max: 23, step: 1 });
  const forecastHours = numberInput('forecastHours', '/schedule/forecastHours', schedule.forecastHours, { min: 1, max: 240, step: 1 });
  const spinUpHours = numberInput('spinUpHours', '/schedule/spinUpHours', schedule.spinUpHours, { min: 0, max: 240, step: 1 });
  const dt = numberInput('dt', '/model/dt', model.dt, { min: 0, max: 3600 });
  const nspool = numberInput('nspool', '/model/nspool', model.nspool, { min: 1, step: 1 });
  const manning = numberInput('manning', '/model/manning', model.manning, { min: 0, max: 1 });
  const resource = h(
    'select',
    // With one resource there is nothing to choose, but the field still says where the model runs.
    { id: controlId('resource'), name: 'resource', 'data-field': '/model/resource', disabled: resources.length < 2 },
    resources.map(({ name, type }) => h('option', { value: name, selected: name === model.resource }, `${name} (${RESOURCE_TYPES[type]})`)),
  );
  // The API refuses SCHISM with wave forcing at /forcings/waves; the choice that causes it is made here, so its problem shows here too.
  const engine = h('select', { id: controlId('engine'), name: 'engine', 'data-field': '/model/engine /forcings/waves' });
  const fallback = h('p', { class: 'hint', role: 'status', hidden: true, 'data-testid': 'engine-fallback' });

  /** SCHISM only where the chosen resource installs it; a SCHISM choice the new resource cannot run falls back to the built-in model, which the note says. */
  function offerEngines(): void {
    const chosen = engine.value;
    const engines: ModelEngine[] = resources.find(({ name }) => name === resource.value)?.schism ? ['built-in', 'schism'] : ['built-in'];
    replaceChildren(engine, engines.map((value) => h('option', { value }, ENGINE_NAMES[value])));
    engine.value = engines.includes(chosen as ModelEngine) ? chosen : model.engine;
    const fellBack = chosen === 'schism' && engine.value !== 'schism';
    fallback.textContent = fellBack ? `${resource.value} has no SCHISM installation, so the site runs on the built-in model.` : '';
    fallback.hidden = !fellBack;
  }
  resource.addEventListener('change', offerEngines);
  engine.addEventListener('change', () => (fallback.hidden = true));
  offerEngines();

  return {
    name: 'schedule',
    title: 'Schedule and model',
    element: h(
      'section',
      { 'data-step': 'schedule' },
      h(
        'fieldset',
        { 'data-field': '/schedule' },
        h('legend', {}, 'Schedule'),
        h('div', { class: 'wizard-choice' }, enabled, h('label', { for: enabled.id }, 'Run a forecast every day')),
        labelled('Daily run starts at (hour, UTC)', hourUtc),
        labelled('Cycle time (hour, UTC)', cycleHourUtc, "The forecast's start time; the daily run forecasts from the latest one."),
        labelled('Forecast length (hours)', forecastHours),
        labelled('Spin-up (hours)', spinUpHours, 'Run before the cycle time when there is no hot start from the previous cycle.'),
      ),
      h(
        'fieldset',
        {},
        h('legend', {}, 'Compute'),
        labelled('Compute resource', resource, "Where the model jobs run; the installation's operators set these up."),
        labelled('Model', engine, 'SCHISM is offered on the resources that install it.'),
        fallback,
      ),
      h(
        'fieldset',
        { 'data-field': '/model' },
        h('legend', {}, 'Model'),
        labelled('Time step dt (s)', dt),
        labelled('Time steps between outputs (nspool)', nspool, 'Outputs every dt × nspool seconds; the forecast length must be a multiple of it.'),
        labelled("Manning's n (s m^-1/3)", manning),
      ),
    ),
    part: (): DraftConfig => ({
      schedule: {
        enabled: enabled.checked,
        hourUtc: readNumber(hourUtc),
        cycleHourUtc: readNumber(cycleHourUtc),
        forecastHours: readNumber(forecastHours),
        spinUpHours: readNumber(spinUpHours),
      },
      model: { resource: resource.value, engine: engine.value, dt: readNumber(dt), nspool: readNumber(nspool), manning: readNumber(manning) },
    }),
    defaults: () => structuredClone(DEFAULTS),
  };
}
