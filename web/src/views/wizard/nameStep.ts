/** Step 1: the site's name, and its id (a slug suggested from the name until the user edits it). */
import { h } from '../../ui/dom';
import { labelled, textInput } from './fields';
import type { WizardStep } from './step';

/** 'Ria de Aveiro (Barra)' → 'ria-de-aveiro-barra': what a site id may hold (core/site.ts). */
export function slugOf(name: string): string {
  return name
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+/, '')
    .slice(0, 63)
    .replace(/-+$/, '');
}

export function nameStep(): WizardStep {
  const name = textInput('name', '/name', '', { maxlength: 200 });
  const id = textInput('id', '/id', '', { maxlength: 63, spellcheck: 'false', autocapitalize: 'none' });
  // The id follows the name until the user types one of their own.
  let idTyped = false;
  name.addEventListener('input', () => {
    if (!idTyped) id.value = slugOf(name.value);
  });
  id.addEventListener('input', () => {
    idTyped = id.value !== '';
  });

  return {
    name: 'name',
    title: 'Name',
    element: h(
      'section',
      { 'data-step': 'name' },
      labelled('Site name', name, 'What the site is called on every page, e.g. Ria de Aveiro.'),
      labelled('Site id', id, 'Lower-case letters, digits and hyphens, 2 to 63 characters; used in addresses and file names, and cannot change later. Suggested from the name.'),
    ),
    part: () => ({ id: id.value.trim(), name: name.value.trim() }),
    defaults: () => ({ id: '', name: '' }),
  };
}
