/**
 * What every step of the site wizard is, and which step owns which field of
 * the site config: a problem the API reports by JSON pointer is shown on the
 * step where the user can fix it.
 */
import type { SiteConfig } from '../../api/types';

export const STEP_NAMES = ['name', 'mesh', 'tide', 'stations', 'thresholds', 'schedule', 'review'] as const;
export type StepName = (typeof STEP_NAMES)[number];

/** A site config as far as the wizard has it: numbers still being typed may be missing or not numbers. */
export type DraftConfig = { [K in keyof SiteConfig]?: unknown };

/**
 * A problem to show next to its field. `field` is what the field's
 * `data-field` attribute says: a JSON pointer into the config, or a form
 * field the API names (`mesh`, `coordinates`).
 */
export interface StepProblem {
  field: string;
  message: string;
}

export interface WizardStep {
  name: StepName;
  title: string;
  /** The step's form: a section with data-step = name. */
  element: HTMLElement;
  /** This step's fields of the site config, as entered. */
  part(): DraftConfig;
  /** The same fields before the user has been here: what the checks of earlier steps assume. */
  defaults(): DraftConfig;
  /** Problems found without asking the API (no mesh chosen yet, a mesh with errors). */
  localProblems?(): Promise<StepProblem[]>;
  /** Brings what depends on earlier steps up to date; called each time the step is shown. */
  enter?(): void;
}

const OWNERS: [prefix: string, step: StepName][] = [
  ['/id', 'name'],
  ['/name', 'name'],
  ['/coordinates', 'mesh'],
  ['/tide', 'tide'],
  ['/forcings', 'tide'],
  ['/stations', 'stations'],
  ['/thresholds', 'thresholds'],
  ['/schedule', 'schedule'],
  ['/model', 'schedule'],
];

/** The step whose form holds a config field; the review step for anything else (the config as a whole). */
export function stepOfPointer(pointer: string): StepName {
  return OWNERS.find(([prefix]) => pointer === prefix || pointer.startsWith(`${prefix}/`))?.[1] ?? 'review';
}

/** The step where a problem the API reported about the site form can be fixed. */
export function stepOfProblem(problem: { path?: string; file?: string; field?: string }): StepName {
  if (problem.path !== undefined) return stepOfPointer(problem.path);
  if (problem.file !== undefined || problem.field === 'mesh' || problem.field === 'coordinates') return 'mesh';
  return 'review';
}
