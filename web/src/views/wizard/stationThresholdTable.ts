/**
 * A table of thresholds at stations, one row each: the station, a value in
 * metres and a name. The level thresholds and the wave-height ones are two
 * of these, told apart by the config list they fill and the value's key.
 */
import { h } from '../../ui/dom';
import { actionButton, controlId, numberInput, readNumber, textInput } from './fields';

export interface StationThresholdKind {
  /** The list under /thresholds: stationLevel, waveHeight. */
  list: 'stationLevel' | 'waveHeight';
  /** The value's key in a rule: level, height. */
  value: 'level' | 'height';
  /** Control names are `<prefix>-station`, `<prefix>-<value>`, `<prefix>-name`; the add button's action is `add-<prefix>`. */
  prefix: string;
  /** Column heading and accessible name of the value: 'Level (m above datum)'. */
  valueLabel: string;
  caption: string;
  addLabel: string;
  namePlaceholder: string;
  /** The value may not be 0 or below (a wave height). */
  positive?: boolean;
}

export class StationThresholdTable {
  readonly element: HTMLElement;
  readonly addButton: HTMLButtonElement;
  private readonly rows = h('tbody', {});

  constructor(
    private readonly kind: StationThresholdKind,
    private readonly stations: () => { id: string; name: string }[],
  ) {
    this.addButton = actionButton(`add-${kind.prefix}`, kind.addLabel, () => this.add());
    this.element = h(
      'div',
      {},
      h(
        'div',
        { class: 'wizard-table-wrap', 'data-field': `/thresholds/${kind.list} /thresholds` },
        h(
          'table',
          {},
          h('caption', { class: 'visually-hidden' }, kind.caption),
          h('thead', {}, h('tr', {}, h('th', {}, 'Station'), h('th', {}, kind.valueLabel), h('th', {}, 'Name'), h('th', {}, h('span', { class: 'visually-hidden' }, 'Remove')))),
          this.rows,
        ),
      ),
      h('div', { class: 'wizard-row-actions' }, this.addButton),
    );
  }

  /** The rules as entered; numbers not yet typed are left out. */
  entered(): Record<string, unknown>[] {
    return [...this.rows.rows].map((row) => {
      const { station, value, name } = this.inputsOf(row);
      return { stationId: station.value, [this.kind.value]: readNumber(value), name: name.value.trim() };
    });
  }

  /** Brings the station choices up to date with the stations step. */
  refresh(): void {
    for (const row of this.rows.rows) this.fillOptions(this.inputsOf(row).station);
    this.addButton.disabled = !this.stations().some((s) => s.id !== '');
  }

  private inputsOf(row: HTMLTableRowElement) {
    const { prefix, value } = this.kind;
    return {
      station: row.querySelector('select') as HTMLSelectElement,
      value: row.querySelector<HTMLInputElement>(`input[name="${prefix}-${value}"]`) as HTMLInputElement,
      name: row.querySelector<HTMLInputElement>(`input[name="${prefix}-name"]`) as HTMLInputElement,
    };
  }

  /** The stations as options; a station chosen here and since removed stays, marked, so the check names it. */
  private fillOptions(select: HTMLSelectElement): void {
    const chosen = select.value;
    const known = this.stations().filter((s) => s.id !== '');
    select.replaceChildren(...known.map((s) => h('option', { value: s.id }, s.name ? `${s.id} — ${s.name}` : s.id)));
    if (chosen !== '' && !known.some((s) => s.id === chosen)) select.prepend(h('option', { value: chosen }, `${chosen} (no such station)`));
    if (chosen !== '') select.value = chosen;
  }

  private renumber(): void {
    const { list, value: key, caption, valueLabel } = this.kind;
    [...this.rows.rows].forEach((row, t) => {
      row.dataset.threshold = String(t);
      const { station, value, name } = this.inputsOf(row);
      const at = `/thresholds/${list}/${t}`;
      station.dataset.field = `${at}/stationId ${at}`;
      value.dataset.field = `${at}/${key}`;
      name.dataset.field = `${at}/name`;
      const label = `${caption.replace(/s$/, '')} ${t + 1}`;
      station.setAttribute('aria-label', `${label}: station`);
      value.setAttribute('aria-label', `${label}: ${valueLabel.toLowerCase()}`);
      name.setAttribute('aria-label', `${label}: name`);
    });
  }

  private add(): void {
    const { prefix, value, namePlaceholder, positive } = this.kind;
    const station = h('select', { id: controlId(`${prefix}-station`), name: `${prefix}-station` });
    this.fillOptions(station);
    const row = h(
      'tr',
      {},
      h('td', {}, station),
      h('td', {}, numberInput(`${prefix}-${value}`, '', undefined, positive ? { min: 0 } : {})),
      h('td', {}, textInput(`${prefix}-name`, '', '', { placeholder: namePlaceholder })),
      h('td', {}, actionButton(`remove-${prefix}`, 'Remove', () => (row.remove(), this.renumber()))),
    );
    this.rows.append(row);
    this.renumber();
    station.focus();
  }
}
