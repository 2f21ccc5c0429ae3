/**
 * Problems found in a user's input file (a mesh, param.nml, bctides.in …),
 * kept as data so that the CLI prints them, the API returns them by line, and
 * a run reports the first one — all in the same `file:line: …` form that
 * editors and CI logs link to.
 */

export type Severity = 'error' | 'warning';

export interface InputProblem {
  /** 1-based; absent only when there is nothing in the file to point at (a missing key). */
  line?: number;
  /** Shown when set; a problem without one is an error. */
  severity?: Severity;
  /** The setting the problem is about, for key = value formats. */
  key?: string;
  message: string;
  /** Set on the one problem that stands for the rest of a kind past a cap: how many it stands for. */
  omitted?: number;
}

export function isError(problem: InputProblem): boolean {
  return problem.severity !== 'warning';
}

/** `<file>:<line>: [<severity>: ][<key>: ]<message>` */
export function formatInputProblem(file: string, problem: InputProblem): string {
  const at = problem.line === undefined ? file : `${file}:${problem.line}`;
  const severity = problem.severity ? `${problem.severity}: ` : '';
  const key = problem.key ? `${problem.key}: ` : '';
  return `${at}: ${severity}${key}${problem.message}`;
}

/** An input file that cannot be used, with every problem found in it. */
export class InputFileError extends Error {
  constructor(
    readonly file: string,
    readonly problems: readonly InputProblem[],
    /** A first line summing up the problems; none when the problems speak for themselves. */
    heading?: string,
  ) {
    const lines = problems.map((p) => formatInputProblem(file, p));
    super((heading === undefined ? lines : [heading, ...lines]).join('\n'));
  }

  /** The first error on one line, saying how many more there are: for reports that have room for one line. */
  firstError(): string {
    const errors = this.problems.filter(isError);
    if (errors.length === 0) return this.message.split('\n')[0];
    const more = errors.reduce((n, p) => n + (p.omitted ?? 1), 0) - 1;
    return formatInputProblem(this.file, errors[0]) + (more > 0 ? ` (and ${more} more problem${more === 1 ? '' : 's'})` : '');
  }
}
