/** How a cycle's status reads everywhere in the app: a badge with a word, never colour alone. */
import type { CycleStatus } from '../api/types';
import { h } from '../ui/dom';

const LABELS: Record<CycleStatus, string> = {
  scheduled: 'scheduled',
  running: 'running',
  completed: 'completed',
  failed: 'failed',
  cancelled: 'cancelled',
};

export function statusBadge(status: CycleStatus): HTMLElement {
  return h('span', { class: `status status-${status}`, dataset: { status } }, LABELS[status]);
}

export function isUnfinished(status: CycleStatus): boolean {
  return status === 'scheduled' || status === 'running';
}
