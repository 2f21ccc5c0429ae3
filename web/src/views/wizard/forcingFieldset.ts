/**
 * The source of one forcing in the wizard: none, a file, or a THREDDS NCSS
 * endpoint, each by a deadline; for waves also a constant sea state
 * (significant height, peak period, the direction they come from) for the
 * whole run, which needs no data and no deadline.
 */
import type { SiteConfig } from '../../api/types';
import { h } from '../../ui/dom';
import { controlId, labelled, numberInput, readNumber, textInput } from './fields';

export type ForcingKind = keyof SiteConfig['forcings'];

export function forcingFieldset(kind: ForcingKind, title: string) {
  const at = `/forcings/${kind}`;
  const type = h(
    'select',
    { id: controlId(`${kind}-type`), name: `${kind}-type`, 'data-field': `${at}/type ${at}` },
    h('option', { value: 'none' }, 'none'),
    h('option', { value: 'file' }, 'a file'),
    h('option', { value: 'ncss' }, 'a THREDDS NCSS endpoint'),
    kind === 'waves' && h('option', { value: 'constant' }, 'constant (one sea state for the whole run)'),
  );
  const path = textInput(`${kind}-path`, `${at}/path`, '', { spellcheck: 'false' });
  const url = textInput(`${kind}-url`, `${at}/url`, '', { type: 'url', spellcheck: 'false', placeholder: 'https://…/thredds/ncss/…' });
  const deadline = numberInput(`${kind}-deadlineHours`, `${at}/deadlineHours`, 6, { min: 0, max: 48 });
  const height = numberInput(`${kind}-sigWaveHeight`, `${at}/sigWaveHeight`, undefined, { min: 0 });
  const period = numberInput(`${kind}-peakPeriod`, `${at}/peakPeriod`, undefined, { min: 0 });
  const direction = numberInput(`${kind}-meanWaveDirection`, `${at}/meanWaveDirection`, undefined, { min: 0, max: 360 });
  const pathField = labelled('File path (NetCDF, on the worker)', path);
  const urlField = labelled('NCSS URL', url);
  const deadlineField = labelled('Deadline (hours after the cycle time)', deadline, 'Past it the cycle runs without this forcing and is marked degraded.');
  const constantFields = h(
    'div',
    {},
    labelled('Significant wave height Hs (m)', height),
    labelled('Peak period Tp (s)', period),
    labelled('Direction they come from (°)', direction, 'Clockwise from true north, as in forecasts: 270 is a swell from the west.'),
  );
  const sync = () => {
    pathField.hidden = type.value !== 'file';
    urlField.hidden = type.value !== 'ncss';
    deadlineField.hidden = type.value === 'none' || type.value === 'constant';
    constantFields.hidden = type.value !== 'constant';
  };
  type.addEventListener('change', sync);
  sync();
  return {
    element: h('fieldset', {}, h('legend', {}, title), labelled('Source', type), pathField, urlField, constantFields, deadlineField),
    /** The forcing as entered (numbers not yet typed left out, for the check to name); undefined for none. */
    value: (): Record<string, unknown> | undefined => {
      if (type.value === 'file') return { type: 'file', path: path.value.trim(), deadlineHours: readNumber(deadline) };
      if (type.value === 'ncss') return { type: 'ncss', url: url.value.trim(), deadlineHours: readNumber(deadline) };
      if (type.value === 'constant') return { type: 'constant', sigWaveHeight: readNumber(height), peakPeriod: readNumber(period), meanWaveDirection: readNumber(direction) };
      return undefined;
    },
  };
}
