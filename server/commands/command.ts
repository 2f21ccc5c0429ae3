/** Where a command writes; the CLI binds it to the process, tests to buffers. */
export interface CommandIO {
  out: (line: string) => void;
  err: (line: string) => void;
}

/** A `coastcast` sub-command: takes its own arguments, returns the process exit code. */
export type Command = (args: string[], io: CommandIO) => Promise<number>;

/** A usage mistake: the CLI prints the message and the command's usage, exit code 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}
