/**
 * Step 5: flood thresholds. A water level at a station, or a flooded area
 * over the whole mesh, that raises an alert when a forecast passes it.
 */
import type { StationLevelThreshold } from '../../api/types';
import { h } from '../../ui/dom';
import { actionButton, controlId, labelled, numberInput, readNumber, textInput } from './fields';
import type { WizardStep } from './step';

export function thresholdsStep(stations: () => { id: string; name: string }[]): WizardStep {
  const rows = h('tbody', {});
  const floodedArea = numberInput('floodedArea', '/thresholds/floodedArea', undefined, { min: 0 });
  const noStations = h('p', { class: 'hint' }, 'Add stations in the previous step to set levels at them.');
  const addButton = actionButton('add-threshold', 'Add level threshold', () => add());

  const inputsOf = (row: HTMLTableRowElement) => ({
    station: row.querySelector('select') as HTMLSelectElement,
    level: row.querySelector<HTMLInputElement>('input[name="threshold-level"]') as HTMLInputElement,
    name: row.querySelector<HTMLInputElement>('input[name="threshold-name"]') as HTMLInputElement,
  });

  /** The stations as options; a station chosen here and since removed stays, marked, so the check names it. */
  function fillOptions(select: HTMLSelectElement): void {
    const chosen = select.value;
    const known = stations().filter((s) => s.id !== '');
    select.replaceChildren(...known.map((s) => h('option', { value: s.id }, s.name ? `${s.id} — ${s.name}` : s.id)));
    if (chosen !== '' && !known.some((s) => s.id === chosen)) select.prepend(h('option', { value: chosen }, `${chosen} (no such station)`));
    if (chosen !== '') select.value = chosen;
  }

  function renumber(): void {
    [...rows.rows].forEach((row, t) => {
      row.dataset.threshold = String(t);
      const { station, level, name } = inputsOf(row);
      const at = `/thresholds/stationLevel/${t}`;
      station.dataset.field = `${at}/stationId ${at}`;
      level.dataset.field = `${at}/level`;
      name.dataset.field = `${at}/name`;
      station.setAttribute('aria-label', `Threshold ${t + 1}: station`);
      level.setAttribute('aria-label', `Threshold ${t + 1}: level (m above the model datum)`);
      name.setAttribute('aria-label', `Threshold ${t + 1}: name`);
    });
  }

  function add(): void {
    const station = h('select', { id: controlId('threshold-station'), name: 'threshold-station' });
    fillOptions(station);
    const row = h(
      'tr',
      {},
      h('td', {}, station),
      h('td', {}, numberInput('threshold-level', '', undefined)),
      h('td', {}, textInput('threshold-name', '', '', { placeholder: 'e.g. spring high water' })),
      h('td', {}, actionButton('remove-threshold', 'Remove', () => (row.remove(), renumber()))),
    );
    rows.append(row);
    renumber();
    station.focus();
  }

  const entered = (): Partial<StationLevelThreshold>[] =>
    [...rows.rows].map((row) => {
      const { station, level, name } = inputsOf(row);
      return { stationId: station.value, level: readNumber(level), name: name.value.trim() };
    });

  return {
    name: 'thresholds',
    title: 'Flood thresholds',
    element: h(
      'section',
      { 'data-step': 'thresholds' },
      h('h3', {}, 'Water level at a station'),
      noStations,
      h(
        'div',
        { class: 'wizard-table-wrap', 'data-field': '/thresholds/stationLevel /thresholds' },
        h(
          'table',
          {},
          h('caption', { class: 'visually-hidden' }, 'Level thresholds'),
          h('thead', {}, h('tr', {}, h('th', {}, 'Station'), h('th', {}, 'Level (m above datum)'), h('th', {}, 'Name'), h('th', {}, h('span', { class: 'visually-hidden' }, 'Remove')))),
          rows,
        ),
      ),
      h('div', { class: 'wizard-row-actions' }, addButton),
      h('h3', {}, 'Flooded area'),
      labelled('Flooded area that raises an alert (km²; optional)', floodedArea, 'Land that the forecast floods, over the whole mesh.'),
    ),
    part: () => {
      const stationLevel = entered();
      return { thresholds: { ...(stationLevel.length > 0 && { stationLevel }), floodedArea: readNumber(floodedArea) } };
    },
    defaults: () => ({ thresholds: {} }),
    enter: () => {
      for (const row of rows.rows) fillOptions(inputsOf(row).station);
      const any = stations().some((s) => s.id !== '');
      noStations.hidden = any;
      addButton.disabled = !any;
    },
  };
}
