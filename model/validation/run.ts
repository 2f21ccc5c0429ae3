import { pathToFileURL } from 'node:url';

/** True when the module is the script node was started with, so a validation case prints its figures only when run directly. */
export function isMain(moduleUrl: string): boolean {
  const script = process.argv[1];
  return script !== undefined && pathToFileURL(script).href === moduleUrl;
}

export function printFigures(name: string, figures: object): void {
  console.log(`${name}: ${JSON.stringify(figures, null, 2)}`);
}
