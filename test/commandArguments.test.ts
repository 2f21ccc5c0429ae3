import { describe, expect, it } from 'vitest';
import { commandArguments, commandOptions } from '../server/commands/args.js';
import { UsageError } from '../server/commands/command.js';

describe('command arguments', () => {
  it('take one positional and the named options, in either form', () => {
    expect(commandArguments(['run1', '--threads', '2'], 'the run directory', ['threads'])).toEqual({ positional: 'run1', options: { threads: '2' } });
    expect(commandArguments(['--threads=3', 'run1'], 'the run directory', ['threads'])).toEqual({ positional: 'run1', options: { threads: '3' } });
    expect(commandArguments(['run1'], 'the run directory', ['threads'])).toEqual({ positional: 'run1', options: {} });
  });

  it.each([
    [[], 'missing the run directory'],
    [['run1', 'run2'], 'too many arguments: run2 (after run1)'],
    [['run1', '--fast'], 'unknown option --fast'],
    [['run1', '--threads'], "Option '--threads <value>' argument missing"],
  ])('%j is a usage error: %s', (args, message) => {
    expect(() => commandArguments(args, 'the run directory', ['threads'])).toThrow(new UsageError(message));
  });

  it('take a repeatable option as every value given, in order', () => {
    expect(commandOptions(['--resource', 'hpc', '--model-threads', '2', '--resource=gpu'], ['model-threads'], ['resource'])).toEqual({ 'model-threads': '2', resource: ['hpc', 'gpu'] });
    expect(commandOptions(['--model-threads', '2'], ['model-threads'], ['resource'])).toEqual({ 'model-threads': '2' });
    expect(() => commandOptions(['--resource'], ['model-threads'], ['resource'])).toThrow(new UsageError("Option '--resource <value>' argument missing"));
  });
});
