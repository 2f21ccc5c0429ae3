/** Step 6: when the daily forecast runs and how long it is, and the model's time step, output interval and friction. */
import { h } from '../../ui/dom';
import { controlId, labelled, numberInput, readNumber } from './fields';
import type { DraftConfig, WizardStep } from './step';

const DEFAULTS = {
  schedule: { enabled: true, hourUtc: 3, cycleHourUtc: 0, forecastHours: 72, spinUpHours: 24 },
  model: { dt: 60, nspool: 10, manning: 0.025 },
};

export function scheduleStep(): WizardStep {
  const { schedule, model } = DEFAULTS;
  const enabled = h('input', { type: 'checkbox', id: controlId('enabled'), name: 'enabled', checked: schedule.enabled, 'data-field': '/schedule/enabled' });
  const hourUtc = numberInput('hourUtc', '/schedule/hourUtc', schedule.hourUtc, { min: 0, max: 23, step: 1 });
  const cycleHourUtc = numberInput('cycleHourUtc', '/schedule/cycleHourUtc', schedule.cycleHourUtc, { min: 0, max: 23, step: 1 });
  const forecastHours = numberInput('forecastHours', '/schedule/forecastHours', schedule.forecastHours, { min: 1, max: 240, step: 1 });
  const spinUpHours = numberInput('spinUpHours', '/schedule/spinUpHours', schedule.spinUpHours, { min: 0, max: 240, step: 1 });
  const dt = numberInput('dt', '/model/dt', model.dt, { min: 0, max: 3600 });
  const nspool = numberInput('nspool', '/model/nspool', model.nspool, { min: 1, step: 1 });
  const manning = numberInput('manning', '/model/manning', model.manning, { min: 0, max: 1 });

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
      model: { dt: readNumber(dt), nspool: readNumber(nspool), manning: readNumber(manning) },
    }),
    defaults: () => structuredClone(DEFAULTS),
  };
}
