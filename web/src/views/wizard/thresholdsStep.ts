/**
 * Step 5: flood thresholds. A water level at a station, a significant wave
 * height at a station (for sites with waves), or a flooded area over the
 * whole mesh, that raises an alert when a forecast passes it.
 */
import { h } from '../../ui/dom';
import { labelled, numberInput, readNumber } from './fields';
import type { WizardStep } from './step';
import { StationThresholdTable } from './stationThresholdTable';

export function thresholdsStep(stations: () => { id: string; name: string }[]): WizardStep {
  const levels = new StationThresholdTable(
    { list: 'stationLevel', value: 'level', prefix: 'threshold', valueLabel: 'Level (m above datum)', caption: 'Level thresholds', addLabel: 'Add level threshold', namePlaceholder: 'e.g. spring high water' },
    stations,
  );
  const waves = new StationThresholdTable(
    { list: 'waveHeight', value: 'height', prefix: 'wave-threshold', valueLabel: 'Wave height Hs (m)', caption: 'Wave height thresholds', addLabel: 'Add wave height threshold', namePlaceholder: 'e.g. heavy swell', positive: true },
    stations,
  );
  const floodedArea = numberInput('floodedArea', '/thresholds/floodedArea', undefined, { min: 0 });
  const noStations = h('p', { class: 'hint' }, 'Add stations in the previous step to set levels and wave heights at them.');

  return {
    name: 'thresholds',
    title: 'Flood thresholds',
    element: h(
      'section',
      { 'data-step': 'thresholds' },
      noStations,
      h('h3', {}, 'Water level at a station'),
      levels.element,
      h('h3', {}, 'Wave height at a station'),
      h('p', { class: 'hint' }, 'Significant wave height; only forecasts of a site with wave forcing have one.'),
      waves.element,
      h('h3', {}, 'Flooded area'),
      labelled('Flooded area that raises an alert (km²; optional)', floodedArea, 'Land that the forecast floods, over the whole mesh.'),
    ),
    part: () => {
      const stationLevel = levels.entered();
      const waveHeight = waves.entered();
      return { thresholds: { ...(stationLevel.length > 0 && { stationLevel }), ...(waveHeight.length > 0 && { waveHeight }), floodedArea: readNumber(floodedArea) } };
    },
    defaults: () => ({ thresholds: {} }),
    enter: () => {
      levels.refresh();
      waves.refresh();
      noStations.hidden = stations().some((s) => s.id !== '');
    },
  };
}
