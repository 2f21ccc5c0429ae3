/** How a cycle's status reads everywhere in the app: a badge with a word, never colour alone. */
import type { CycleStatus } from '../api/types';
import { h } from '../ui/dom';

export function statusBadge(status: CycleStatus): HTMLElement {
  return h('span', { class: `status status-${status}`, dataset: { status } }, status);
}

export function isUnfinished(status: CycleStatus): boolean {
  return status === 'scheduled' || status === 'running';
}
