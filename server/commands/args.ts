import { parseArgs } from 'node:util';
import { UsageError } from './command.js';

/**
 * A command's arguments: exactly one positional (named `what` in messages)
 * and string options, through Node's parseArgs so every command rejects
 * unknown options and stray words the same way.
 */
export function commandArguments<Name extends string>(
  args: string[],
  what: string,
  options: readonly Name[],
): { positional: string; options: Partial<Record<Name, string>> } {
  const parsed = parse(args, options);
  const [positional, ...extra] = parsed.positionals;
  if (positional === undefined) throw new UsageError(`missing ${what}`);
  if (extra.length) throw new UsageError(`too many arguments: ${extra.join(' ')} (after ${positional})`);
  return { positional, options: parsed.options };
}

/** A command's arguments when it takes no positional: string options only, the same rules otherwise. */
export function commandOptions<Name extends string>(args: string[], options: readonly Name[]): Partial<Record<Name, string>> {
  const parsed = parse(args, options);
  if (parsed.positionals.length) throw new UsageError(`unexpected arguments: ${parsed.positionals.join(' ')}`);
  return parsed.options;
}

function parse<Name extends string>(args: string[], options: readonly Name[]): { positionals: string[]; options: Partial<Record<Name, string>> } {
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({
      args,
      allowPositionals: true,
      strict: true,
      options: Object.fromEntries(options.map((name) => [name, { type: 'string' as const }])),
    });
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') throw new UsageError(`unknown option ${/'([^']+)'/.exec((error as Error).message)?.[1] ?? ''}`);
    if (code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE') throw new UsageError((error as Error).message.split('\n')[0]);
    throw error;
  }
  return { positionals: parsed.positionals, options: parsed.values as Partial<Record<Name, string>> };
}
