/**
 * A station's skill per lead-time day (GET …/skill) as a small table under
 * its chart: pairs, bias, RMSE, correlation and Willmott's index of
 * agreement d (1 perfect, 0 none).
 */
import type { CycleSkill } from '../../api/types';
import { formatNumber, h } from '../../ui/dom';
import './skillTable.css';

export type StationSkill = CycleSkill['stations'][number];

export function skillTable(skill: StationSkill): HTMLElement {
  const problem = skill.fetchProblem && h('p', { class: 'problems' }, `Observations could not be fetched: ${skill.fetchProblem}`);
  if (skill.days.every((d) => d.n === 0)) {
    return h('div', { class: 'station-skill', 'data-testid': 'station-skill' }, problem, h('p', { class: 'muted' }, 'No observations during this forecast yet.'));
  }
  return h(
    'div',
    { class: 'station-skill', 'data-testid': 'station-skill' },
    problem,
    h(
      'table',
      {},
      h('caption', {}, 'Forecast against observations'),
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          h('th', { scope: 'col' }, 'Lead day'),
          h('th', { scope: 'col', title: 'forecast times with an observation' }, 'Pairs'),
          h('th', { scope: 'col', title: 'mean of forecast − observed' }, 'Bias (m)'),
          h('th', { scope: 'col' }, 'RMSE (m)'),
          h('th', { scope: 'col', title: "Pearson's correlation" }, 'r'),
          h('th', { scope: 'col', title: "Willmott's index of agreement: 1 perfect, 0 none" }, 'Skill d'),
        ),
      ),
      h(
        'tbody',
        {},
        skill.days.map((d) =>
          h('tr', {}, h('th', { scope: 'row' }, `Day ${d.day}`), h('td', {}, String(d.n)), h('td', {}, formatNumber(d.bias)), h('td', {}, formatNumber(d.rmse)), h('td', {}, formatNumber(d.correlation)), h('td', {}, formatNumber(d.skill))),
        ),
      ),
    ),
  );
}
