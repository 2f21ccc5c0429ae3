/**
 * Form controls of the wizard. Each control's `name` is its config field,
 * and its `data-field` lists the JSON pointers whose problems it shows
 * (problems.ts), so that a problem the API names by pointer lands next to
 * the control that edits it.
 */
import { h } from '../../ui/dom';

let lastId = 0;

/** A document-unique id for a control, readable in the DOM: wizard-station-lon-7. */
export function controlId(name: string): string {
  return `wizard-${name}-${++lastId}`;
}

type Attributes = Record<string, unknown>;

/** `fields`: the pointers whose problems this control shows, the one it edits first. */
export function textInput(name: string, fields: string, value = '', attributes: Attributes = {}): HTMLInputElement {
  return h('input', { type: 'text', id: controlId(name), name, value, 'data-field': fields, autocomplete: 'off', ...attributes });
}

export function numberInput(name: string, fields: string, value: number | undefined, attributes: Attributes = {}): HTMLInputElement {
  return h('input', { type: 'number', id: controlId(name), name, value: value ?? '', step: 'any', inputmode: 'decimal', 'data-field': fields, ...attributes });
}

/** A control with its label above it and, when given, a hint under it that screen readers read with it. */
export function labelled(label: string, control: HTMLElement, hint?: string): HTMLElement {
  const hintElement = hint ? h('p', { class: 'hint', id: `${control.id}-hint` }, hint) : null;
  if (hintElement) control.setAttribute('aria-describedby', hintElement.id);
  return h('div', { class: 'wizard-field' }, h('label', { for: control.id }, label), control, hintElement);
}

/** The number typed; undefined for an empty field (so the check says it is required), NaN for text that is not a number. */
export function readNumber(input: HTMLInputElement): number | undefined {
  if (input.validity.badInput) return Number.NaN;
  return input.value.trim() === '' ? undefined : Number(input.value);
}

/** `[label]` as a plain button that does not submit the wizard's form. */
export function actionButton(action: string, label: string, onclick: () => void, attributes: Attributes = {}): HTMLButtonElement {
  return h('button', { type: 'button', 'data-action': action, onclick, ...attributes }, label);
}
