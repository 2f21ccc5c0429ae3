/**
 * Step 3: the tide at the open boundaries and the other forcings. The tide is
 * harmonic constants (one table per open boundary of the checked mesh) or a
 * tidal atlas; atmosphere, ocean and waves each come from nowhere, a file,
 * or a THREDDS NCSS endpoint, by a deadline, and waves may also be one
 * constant sea state.
 */
import type { TideConstituent } from '../../api/types';
import { h } from '../../ui/dom';
import { actionButton, controlId, labelled, numberInput, readNumber, textInput } from './fields';
import { forcingFieldset } from './forcingFieldset';
import type { DraftConfig, WizardStep } from './step';

/** Names the tide predictor knows (core/tide/constituents.ts), offered as the user types; the site check has the final word. */
const CONSTITUENT_SUGGESTIONS = ['M2', 'S2', 'N2', 'K2', 'K1', 'O1', 'P1', 'Q1', 'M4', 'MS4', 'MN4', 'M6', '2N2', 'MU2', 'NU2', 'L2', 'T2', 'J1', 'OO1', 'M3', 'MM', 'MF', 'SSA'];

const FORCINGS = [
  { kind: 'atmosphere', title: 'Atmosphere (wind at 10 m, sea-level pressure)' },
  { kind: 'ocean', title: 'Ocean (residual water level at the open boundary)' },
  { kind: 'waves', title: 'Waves at the open boundary' },
] as const;

/** A table of constituent rows for one open boundary. */
class BoundaryTable {
  readonly element: HTMLElement;
  private readonly heading = h('h3', {});
  private readonly rows = h('tbody', {});

  constructor(
    private index: number,
    private readonly datalistId: string,
    copyFromFirst: (table: BoundaryTable) => void,
  ) {
    this.element = h(
      'div',
      { class: 'wizard-boundary' },
      this.heading,
      h('table', {}, h('thead', {}, h('tr', {}, h('th', {}, 'Constituent'), h('th', {}, 'Amplitude (m)'), h('th', {}, 'Phase (°, UTC)'), h('th', {}, h('span', { class: 'visually-hidden' }, 'Remove')))), this.rows),
      h(
        'div',
        { class: 'wizard-row-actions' },
        actionButton('add-constituent', 'Add constituent', () => this.add(undefined, true), { 'data-boundary': index }),
        index > 0 && actionButton('copy-constituents', 'Copy the constituents of boundary 1', () => copyFromFirst(this), { 'data-boundary': index }),
      ),
    );
    this.setIndex(index, undefined);
  }

  setIndex(index: number, nodes: number | undefined): void {
    this.index = index;
    this.heading.textContent = `Open boundary ${index + 1}${nodes === undefined ? '' : ` (${nodes} nodes)`}`;
    this.renumber();
  }

  add(constituent: Partial<TideConstituent> = {}, focus = false): void {
    const name = textInput('constituent-name', '', constituent.name ?? '', { list: this.datalistId, size: 6, spellcheck: 'false' });
    const amplitude = numberInput('constituent-amplitude', '', constituent.amplitude, { min: 0 });
    const phase = numberInput('constituent-phase', '', constituent.phase, { min: -360, max: 360 });
    const row = h(
      'tr',
      {},
      h('td', {}, name),
      h('td', {}, amplitude),
      h('td', {}, phase),
      h('td', {}, actionButton('remove-constituent', 'Remove', () => (row.remove(), this.renumber()))),
    );
    this.rows.append(row);
    this.renumber();
    if (focus) name.focus();
  }

  /** The rows as entered; numbers not yet typed are left out. */
  constituents(): Partial<TideConstituent>[] {
    return [...this.rows.rows].map((row) => {
      const [name, amplitude, phase] = row.querySelectorAll('input');
      return { name: name.value.trim(), amplitude: readNumber(amplitude), phase: readNumber(phase) };
    });
  }

  replaceWith(constituents: readonly Partial<TideConstituent>[]): void {
    this.rows.replaceChildren();
    for (const c of constituents) this.add(c);
  }

  /** Pointers and labels follow the row's place, which changes as rows are removed. */
  private renumber(): void {
    const at = `/tide/boundaries/${this.index}`;
    this.element.dataset.field = `${at}/constituents ${at}`;
    [...this.rows.rows].forEach((row, k) => {
      row.dataset.constituent = String(k);
      const [name, amplitude, phase] = row.querySelectorAll('input');
      const label = `Open boundary ${this.index + 1}, constituent ${k + 1}`;
      name.dataset.field = `${at}/constituents/${k}/name ${at}/constituents/${k}`;
      amplitude.dataset.field = `${at}/constituents/${k}/amplitude`;
      phase.dataset.field = `${at}/constituents/${k}/phase`;
      name.setAttribute('aria-label', `${label}: name`);
      amplitude.setAttribute('aria-label', `${label}: amplitude (m)`);
      phase.setAttribute('aria-label', `${label}: phase (°)`);
    });
  }
}

export function tideStep(openBoundaryNodes: () => readonly number[] | undefined): WizardStep {
  const datalist = h('datalist', { id: controlId('constituent-names') }, CONSTITUENT_SUGGESTIONS.map((name) => h('option', { value: name })));
  const harmonic = h('input', { type: 'radio', id: controlId('tide-harmonic'), name: 'tide-type', value: 'harmonic', checked: true });
  const atlas = h('input', { type: 'radio', id: controlId('tide-atlas'), name: 'tide-type', value: 'atlas' });
  const z0 = numberInput('z0', '/tide/z0', undefined);
  const atlasPath = textInput('tide-path', '/tide/path', '', { spellcheck: 'false' });
  const atlasConstituents = textInput('tide-constituents', '/tide/constituents', '', { spellcheck: 'false', placeholder: 'M2, S2, N2, K1, O1' });

  const tables: BoundaryTable[] = [];
  const tablesElement = h('div', {});
  const noOpenBoundary = h('p', { class: 'hint', hidden: true }, 'The mesh has no open boundary, so there is nowhere to force the tide: add one to hgrid.gr3.');
  const copyFromFirst = (table: BoundaryTable) => table.replaceWith(tables[0].constituents());
  const harmonicPanel = h('div', { 'data-field': '/tide/boundaries' }, noOpenBoundary, tablesElement);
  const atlasPanel = h(
    'div',
    { hidden: true },
    labelled('Atlas path (FES-style NetCDF grids of amplitude and phase, on the worker)', atlasPath),
    labelled('Constituents', atlasConstituents, 'Names separated by commas or spaces.'),
  );
  const syncType = () => {
    harmonicPanel.hidden = !harmonic.checked;
    atlasPanel.hidden = !atlas.checked;
  };
  for (const radio of [harmonic, atlas]) radio.addEventListener('change', syncType);

  /** One table per open boundary of the checked mesh; tables already filled in are kept. */
  function matchBoundaries(): void {
    const nodes = openBoundaryNodes() ?? [];
    while (tables.length < nodes.length) {
      const table = new BoundaryTable(tables.length, datalist.id, copyFromFirst);
      table.add();
      tables.push(table);
      tablesElement.append(table.element);
    }
    while (tables.length > nodes.length) tables.pop()?.element.remove();
    tables.forEach((table, b) => table.setIndex(b, nodes[b]));
    noOpenBoundary.hidden = nodes.length > 0;
  }

  const forcings = FORCINGS.map(({ kind, title }) => ({ kind, ...forcingFieldset(kind, title) }));

  const tide = (): unknown => {
    const level = readNumber(z0);
    if (atlas.checked) {
      const constituents = atlasConstituents.value.split(/[\s,;]+/).filter((name) => name !== '');
      return { type: 'atlas', path: atlasPath.value.trim(), constituents, z0: level };
    }
    return { type: 'harmonic', z0: level, boundaries: tables.map((table) => ({ type: 'uniform', constituents: table.constituents() })) };
  };

  return {
    name: 'tide',
    title: 'Tide and forcings',
    element: h(
      'section',
      { 'data-step': 'tide' },
      datalist,
      h(
        'fieldset',
        { 'data-field': '/tide' },
        h('legend', {}, 'Tide at the open boundaries'),
        h('div', { class: 'wizard-choice' }, harmonic, h('label', { for: harmonic.id }, 'Harmonic constants per open boundary')),
        h('div', { class: 'wizard-choice' }, atlas, h('label', { for: atlas.id }, 'A tidal atlas')),
        labelled('Mean level z0 (m above the model datum; optional)', z0),
        harmonicPanel,
        atlasPanel,
      ),
      h('h3', {}, 'Other forcings'),
      forcings.map((f) => f.element),
    ),
    part: (): DraftConfig => ({
      tide: tide(),
      forcings: Object.fromEntries(forcings.flatMap(({ kind, value }) => (value() ? [[kind, value()]] : []))),
    }),
    defaults: () => ({
      tide: { type: 'harmonic', boundaries: (openBoundaryNodes() ?? [0]).map(() => ({ type: 'uniform', constituents: [] })) },
      forcings: {},
    }),
    enter: matchBoundaries,
  };
}
