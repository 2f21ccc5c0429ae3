/**
 * Step 2: the mesh. The chosen hgrid.gr3 and the coordinates the user says
 * it is in go to POST /api/meshes/check (nothing is stored); the answer is
 * drawn on the map, with the mesh's statistics and every problem by line.
 * A mesh with errors cannot go on.
 */
import { ApiError, api } from '../../api/client';
import type { MeshCheck, MeshStats, MeshWarning, SiteConfig } from '../../api/types';
import { formatNumber, h, replaceChildren } from '../../ui/dom';
import { controlId, labelled, textInput } from './fields';
import type { StepProblem, WizardStep } from './step';
import type { WizardMap } from './wizardMap';

export interface MeshStep extends WizardStep {
  /** The chosen hgrid.gr3. */
  file(): File | undefined;
  /** The check of the chosen file with the chosen coordinates, when it answered. */
  check(): MeshCheck | undefined;
}

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

function range(min: number, max: number, decimals: number, unit: string): string {
  return `${formatNumber(min, decimals)} to ${formatNumber(max, decimals)} ${unit}`;
}

/** The statistics table the mesh step and the review show. */
export function meshStatsTable(stats: MeshStats): HTMLTableElement {
  const rows: [string, string][] = [
    ['Coordinates', stats.ics === 2 ? 'longitude/latitude (degrees)' : 'projected (metres)'],
    ['Nodes', String(stats.nodes)],
    ['Triangles', String(stats.triangles)],
    ['Open boundaries', `${stats.openBoundaries.count} (${plural(stats.openBoundaries.nodes, 'node')})`],
    ['Land boundaries', `${stats.landBoundaries.count} (${plural(stats.landBoundaries.islands, 'island')}, ${plural(stats.landBoundaries.nodes, 'node')})`],
    ['Depth', range(stats.depth.min, stats.depth.max, 2, 'm (positive down)')],
    ['Edge length', stats.edgeLength ? range(stats.edgeLength.min, stats.edgeLength.max, 1, 'm') : 'no triangles'],
    ['Area', `${formatNumber(stats.area / 1e6, 3)} km²`],
  ];
  return h('table', { class: 'wizard-stats', 'data-testid': 'mesh-stats' }, h('caption', {}, 'Mesh statistics'), h('tbody', {}, rows.map(([name, value]) => h('tr', {}, h('th', { scope: 'row' }, name), h('td', {}, value)))));
}

function problemItem(problem: MeshWarning): HTMLElement {
  return h('li', { class: problem.severity, 'data-line': problem.line }, h('span', { class: 'line' }, `line ${problem.line}`), ` ${problem.severity}: ${problem.message}`);
}

export function meshStep(map: WizardMap): MeshStep {
  const fileInput = h('input', { type: 'file', id: controlId('mesh'), name: 'mesh', accept: '.gr3,.14,.grd,text/plain', 'data-field': 'mesh' });
  const lonLat = h('input', { type: 'radio', id: controlId('ics-2'), name: 'ics', value: '2', checked: true });
  const projected = h('input', { type: 'radio', id: controlId('ics-1'), name: 'ics', value: '1' });
  const crs = textInput('crs', '/coordinates/crs', '', { placeholder: 'EPSG:3763', spellcheck: 'false' });
  const crsField = labelled('Projected CRS', crs, "An EPSG code (EPSG:3763 PT-TM06, EPSG:326xx WGS84/UTM, EPSG:258xx ETRS89/UTM) or a proj string (+proj=…).");
  const status = h('p', { class: 'wizard-mesh-status', role: 'status', 'aria-live': 'polite', 'data-testid': 'mesh-status' });
  const report = h('div', { class: 'wizard-mesh-report' });

  let file: File | undefined;
  let result: MeshCheck | undefined;
  /** Problems with the request itself (coordinates that do not fit, a file over the limit), by field. */
  let refused: StepProblem[] = [];
  let pending: Promise<void> = Promise.resolve();
  let sequence = 0;

  const coordinates = (): SiteConfig['coordinates'] => (projected.checked ? { ics: 1, crs: crs.value.trim() } : { ics: 2 });

  function render(): void {
    crsField.hidden = !projected.checked;
    if (!result) {
      replaceChildren(report);
      return;
    }
    const errors = result.problems.filter((p) => p.severity === 'error');
    const warnings = result.problems.filter((p) => p.severity === 'warning');
    replaceChildren(
      report,
      result.stats && meshStatsTable(result.stats),
      result.problems.length > 0 && [
        h('h3', {}, `Problems in hgrid.gr3: ${plural(errors.length, 'error')}, ${plural(warnings.length, 'warning')}`),
        h('ul', { class: 'wizard-mesh-problems', 'data-testid': 'mesh-problems' }, result.problems.map(problemItem)),
      ],
    );
  }

  async function check(): Promise<void> {
    const run = ++sequence;
    result = undefined;
    refused = [];
    map.setMesh(null);
    render();
    const asked = coordinates();
    if (!file) return void (status.textContent = '');
    if (asked.ics === 1 && asked.crs === '') return void (status.textContent = 'Enter the projected CRS to check the mesh.');
    status.textContent = `Checking ${file.name}…`;
    try {
      const answer = await api.checkMesh(file, asked);
      if (run !== sequence) return;
      result = answer;
      const errors = answer.problems.filter((p) => p.severity === 'error').length;
      status.textContent = answer.ok
        ? `${file.name}: the mesh is usable${answer.problems.length > 0 ? ` (${plural(answer.problems.length, 'warning')})` : ''}.`
        : `${file.name}: ${plural(errors, 'error')}; fix the file and choose it again.`;
      map.setMesh(answer.preview);
    } catch (error) {
      if (run !== sequence) return;
      if (!(error instanceof ApiError)) throw error;
      // The API names the form field at fault: the coordinates show at the CRS when the user gave one.
      const at = (field: string | undefined) => (field === 'coordinates' ? (projected.checked ? '/coordinates/crs' : '/coordinates') : 'mesh');
      refused = error.problems.length > 0 ? error.problems.map((p) => ({ field: at(p.field), message: p.message })) : [{ field: 'mesh', message: error.message }];
      status.textContent = `${file.name} could not be checked: ${refused.map((p) => p.message).join('; ')}`;
    } finally {
      if (run === sequence) render();
    }
  }

  const recheck = () => {
    pending = check().catch((error: Error) => {
      status.textContent = `The mesh check failed: ${error.message}`;
    });
  };
  fileInput.addEventListener('change', () => {
    file = fileInput.files?.[0];
    recheck();
  });
  for (const radio of [lonLat, projected]) radio.addEventListener('change', recheck);
  crs.addEventListener('change', recheck);
  render();

  return {
    name: 'mesh',
    title: 'Mesh',
    element: h(
      'section',
      { 'data-step': 'mesh' },
      h(
        'fieldset',
        { 'data-field': '/coordinates' },
        h('legend', {}, 'Coordinates of the mesh nodes'),
        h('div', { class: 'wizard-choice' }, lonLat, h('label', { for: lonLat.id }, 'Longitude/latitude (degrees, WGS84)')),
        h('div', { class: 'wizard-choice' }, projected, h('label', { for: projected.id }, 'Projected (metres)')),
        crsField,
      ),
      labelled('Mesh file (hgrid.gr3)', fileInput, 'SCHISM hgrid.gr3 or ADCIRC fort.14: nodes, triangles, open and land boundaries. It is checked here and saved only with the site.'),
      status,
      report,
    ),
    part: () => ({ coordinates: coordinates() }),
    defaults: () => ({ coordinates: { ics: 2 } }),
    async localProblems() {
      await pending;
      if (!file) return [{ field: 'mesh', message: 'choose the hgrid.gr3 file of the mesh' }];
      if (refused.length > 0) return refused;
      const asked = coordinates();
      if (asked.ics === 1 && asked.crs === '') return [{ field: '/coordinates/crs', message: 'enter the CRS the mesh coordinates are in' }];
      if (!result) return [{ field: 'mesh', message: 'the mesh could not be checked; choose the file again' }];
      if (!result.ok) {
        const errors = result.problems.filter((p) => p.severity === 'error').length;
        return [{ field: 'mesh', message: `hgrid.gr3 has ${plural(errors, 'error')} (listed below by line): fix the file and choose it again` }];
      }
      return [];
    },
    file: () => file,
    check: () => result,
  };
}
