/**
 * Step 4: stations, the points where the forecast keeps time series and
 * thresholds raise alerts. A click on the map adds one there and asks for
 * its id and name in the list; coordinates can also be typed.
 */
import type { SiteStation } from '../../api/types';
import { h } from '../../ui/dom';
import { actionButton, numberInput, readNumber, textInput } from './fields';
import type { WizardStep } from './step';
import type { WizardMap } from './wizardMap';

export interface StationsStep extends WizardStep {
  /** The stations as entered, for the thresholds step's choice of station. */
  stations(): { id: string; name: string }[];
}

/** Five decimals of a degree: about a metre, finer than any mesh. */
const round = (degrees: number) => Math.round(degrees * 1e5) / 1e5;

export function stationsStep(map: WizardMap): StationsStep {
  const rows = h('tbody', {});

  const inputsOf = (row: HTMLTableRowElement) => {
    const [id, name, lon, lat] = row.querySelectorAll('input');
    return { id, name, lon, lat };
  };

  const entered = (): Partial<SiteStation>[] =>
    [...rows.rows].map((row) => {
      const { id, name, lon, lat } = inputsOf(row);
      return { id: id.value.trim(), name: name.value.trim(), lon: readNumber(lon), lat: readNumber(lat) };
    });

  const drawStations = () => map.setStations(entered().map((s) => ({ id: s.id ?? '', lon: s.lon ?? Number.NaN, lat: s.lat ?? Number.NaN })));

  /** Pointers and labels follow the row's place, which changes as rows are removed. */
  function renumber(): void {
    [...rows.rows].forEach((row, s) => {
      row.dataset.station = String(s);
      const { id, name, lon, lat } = inputsOf(row);
      const at = `/stations/${s}`;
      id.dataset.field = `${at}/id`;
      name.dataset.field = `${at}/name`;
      // A problem with the station as a whole is about where it is.
      lon.dataset.field = `${at}/lon ${at}`;
      lat.dataset.field = `${at}/lat`;
      id.setAttribute('aria-label', `Station ${s + 1}: id`);
      name.setAttribute('aria-label', `Station ${s + 1}: name`);
      lon.setAttribute('aria-label', `Station ${s + 1}: longitude (° east)`);
      lat.setAttribute('aria-label', `Station ${s + 1}: latitude (° north)`);
    });
    drawStations();
  }

  function add(lon?: number, lat?: number): void {
    const row = h(
      'tr',
      {},
      h('td', {}, textInput('station-id', '', '', { size: 10, spellcheck: 'false', placeholder: 'e.g. mouth' })),
      h('td', {}, textInput('station-name', '', '', { size: 16, placeholder: 'e.g. Estuary mouth' })),
      h('td', {}, numberInput('station-lon', '', lon, { min: -180, max: 180 })),
      h('td', {}, numberInput('station-lat', '', lat, { min: -90, max: 90 })),
      h('td', {}, actionButton('remove-station', 'Remove', () => (row.remove(), renumber()))),
    );
    row.addEventListener('input', drawStations);
    rows.append(row);
    renumber();
    inputsOf(row).id.focus();
  }

  return {
    name: 'stations',
    title: 'Stations',
    element: h(
      'section',
      { 'data-step': 'stations' },
      h('p', {}, 'Click on the map to add a station there, then give it an id and a name; or add one and type its longitude and latitude (WGS84 degrees). Stations are optional.'),
      h(
        'div',
        { class: 'wizard-table-wrap', 'data-field': '/stations' },
        h(
          'table',
          { class: 'wizard-stations' },
          h('caption', { class: 'visually-hidden' }, 'Stations'),
          h('thead', {}, h('tr', {}, h('th', {}, 'Id'), h('th', {}, 'Name'), h('th', {}, 'Longitude (°E)'), h('th', {}, 'Latitude (°N)'), h('th', {}, h('span', { class: 'visually-hidden' }, 'Remove')))),
          rows,
        ),
      ),
      h('div', { class: 'wizard-row-actions' }, actionButton('add-station', 'Add station', () => add())),
    ),
    part: () => ({ stations: entered() }),
    defaults: () => ({ stations: [] }),
    enter: () => {
      drawStations();
      map.onClick((lon, lat) => add(round(lon), round(lat)));
    },
    stations: () => entered().map((s) => ({ id: s.id ?? '', name: s.name ?? '' })),
  };
}
