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
  const parsed = parse(args, options, []);
  const [positional, ...extra] = parsed.positionals;
  if (positional === undefined) throw new UsageError(`missing ${what}`);
  if (extra.length) throw new UsageError(`too many arguments: ${extra.join(' ')} (after ${positional})`);
  return { positional, options: parsed.options as Partial<Record<Name, string>> };
}

/**
 * A command's arguments when it takes no positional: string options only, the
 * same rules otherwise. Options in `repeatable` may be given more than once
 * and come as every value given, in order.
 */
export function commandOptions<Name extends string, Repeatable extends string = never>(
  args: string[],
  options: readonly Name[],
  repeatable: readonly Repeatable[] = [],
): Partial<Record<Name, string> & Record<Repeatable, string[]>> {
  const parsed = parse(args, options, repeatable);
  if (parsed.positionals.length) throw new UsageError(`unexpected arguments: ${parsed.positionals.join(' ')}`);
  return parsed.options as Partial<Record<Name, string> & Record<Repeatable, string[]>>;
}

function parse(args: string[], options: readonly string[], repeatable: readonly string[]): { positionals: string[]; options: Record<string, unknown> } {
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({
      args,
      allowPositionals: true,
      strict: true,
      options: Object.fromEntries([
        ...options.map((name) => [name, { type: 'string' as const }]),
        ...repeatable.map((name) => [name, { type: 'string' as const, multiple: true }]),
      ]),
    });
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') throw new UsageError(`unknown option ${/'([^']+)'/.exec((error as Error).message)?.[1] ?? ''}`);
    if (code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE') throw new UsageError((error as Error).message.split('\n')[0]);
    throw error;
  }
  return { positionals: parsed.positionals, options: parsed.values };
}
