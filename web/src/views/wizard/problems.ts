/**
 * Problems shown where they can be fixed: each next to the control whose
 * `data-field` names its pointer (or the nearest pointer above it: a problem
 * with /stations/4 shows at the station's row), tied to it with
 * aria-describedby and aria-invalid, and all of them in a list at the top
 * whose entries move the focus to their control.
 */
import { h, replaceChildren } from '../../ui/dom';
import type { StepProblem } from './step';

const NOTE_CLASS = 'field-problem';
const NOTE_PREFIX = 'problem-';
let lastNote = 0;

const isControl = (element: Element): element is HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement | HTMLButtonElement =>
  element instanceof HTMLInputElement || element instanceof HTMLSelectElement || element instanceof HTMLTextAreaElement || element instanceof HTMLButtonElement;

/** The element in `scope` whose `data-field` names `pointer` itself. */
function elementNaming(scope: HTMLElement, pointer: string): HTMLElement | null {
  return scope.querySelector<HTMLElement>(`[data-field~="${CSS.escape(pointer)}"]`);
}

/** Whether a control in `scope` shows the problems of `pointer` itself, not only of a pointer above it. */
export function namesField(scope: HTMLElement, pointer: string): boolean {
  return elementNaming(scope, pointer) !== null;
}

/** The element that shows a field's problems: the one naming the pointer, else the one naming the nearest pointer above it. */
function fieldElement(scope: HTMLElement, field: string): HTMLElement | undefined {
  for (let pointer = field; ; pointer = pointer.slice(0, pointer.lastIndexOf('/'))) {
    const element = elementNaming(scope, pointer);
    if (element) return element;
    if (!pointer.includes('/') || pointer === '') return undefined;
  }
}

/** The control to focus and describe for a field element: itself, or the first enabled control inside it. */
function controlOf(element: HTMLElement): HTMLElement | undefined {
  if (isControl(element)) return element;
  return element.querySelector<HTMLElement>('input:not([disabled]), select:not([disabled]), textarea:not([disabled]), button:not([disabled])') ?? undefined;
}

function labelOf(control: HTMLElement | undefined, field: string): string {
  if (!control) return field;
  const label = control.id ? document.querySelector(`label[for="${CSS.escape(control.id)}"]`) : null;
  return (label?.textContent ?? control.getAttribute('aria-label') ?? field).trim();
}

/** Elements in document order; those missing go last. */
function documentOrder(a: Element | undefined, b: Element | undefined): number {
  if (!a || !b) return (a ? 0 : 1) - (b ? 0 : 1);
  if (a === b) return 0;
  return a.compareDocumentPosition(b) & Node.DOCUMENT_POSITION_FOLLOWING ? -1 : 1;
}

/** Removes a control's problem notes and marks; its hint, if any, stays described. */
function unmark(control: HTMLElement): void {
  const ids = (control.getAttribute('aria-describedby') ?? '').split(' ').filter((id) => id !== '');
  for (const id of ids.filter((id) => id.startsWith(NOTE_PREFIX))) document.getElementById(id)?.remove();
  const kept = ids.filter((id) => !id.startsWith(NOTE_PREFIX));
  if (kept.length > 0) control.setAttribute('aria-describedby', kept.join(' '));
  else control.removeAttribute('aria-describedby');
  control.removeAttribute('aria-invalid');
}

export function clearProblems(scope: HTMLElement, summary: HTMLElement): void {
  for (const control of scope.querySelectorAll<HTMLElement>('[aria-invalid="true"]')) unmark(control);
  // Notes of problems whose field has no control to describe (none so far, but a group may lose its rows).
  for (const note of scope.querySelectorAll(`.${NOTE_CLASS}`)) note.remove();
  summary.hidden = true;
  summary.replaceChildren();
}

/**
 * Shows the problems in `scope` and in `summary`, and focuses the first
 * problem's control. `heading` opens the summary.
 */
export function showProblems(scope: HTMLElement, summary: HTMLElement, problems: readonly StepProblem[], heading: string): void {
  clearProblems(scope, summary);
  if (problems.length === 0) return;
  const entries = problems.map((problem) => {
    const element = fieldElement(scope, problem.field);
    const control = element && controlOf(element);
    if (element) {
      const note = h('p', { class: NOTE_CLASS, id: `${NOTE_PREFIX}${++lastNote}` }, problem.message);
      // A note goes right after a control, or at the end of a group (a table, a fieldset) that stands for several.
      if (isControl(element)) element.after(note);
      else element.append(note);
      if (control) {
        control.setAttribute('aria-invalid', 'true');
        control.setAttribute('aria-describedby', [control.getAttribute('aria-describedby'), note.id].filter(Boolean).join(' '));
      }
    }
    return { problem, control };
  });
  // In the order the fields appear, so that the list reads like the form and the focus goes to the first field.
  entries.sort((a, b) => documentOrder(a.control, b.control));
  replaceChildren(
    summary,
    h('p', { class: 'wizard-summary-heading' }, heading),
    h(
      'ul',
      {},
      entries.map(({ problem, control }) => {
        const text = `${labelOf(control, problem.field)}: ${problem.message}`;
        return h('li', { 'data-for': control?.id }, control ? h('button', { type: 'button', class: 'link-button', onclick: () => control.focus() }, text) : text);
      }),
    ),
  );
  summary.hidden = false;
  entries.find((entry) => entry.control)?.control?.focus();
}

/** A control the user changed no longer shows the problems it had: they may be fixed, and the next check says. */
export function clearControlProblems(control: HTMLElement, summary: HTMLElement): void {
  if (control.getAttribute('aria-invalid') !== 'true') return;
  unmark(control);
  for (const item of summary.querySelectorAll(`li[data-for="${CSS.escape(control.id)}"]`)) item.remove();
  if (!summary.querySelector('li')) summary.hidden = true;
}
