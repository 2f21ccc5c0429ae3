/**
 * `coastcast mesh check <hgrid.gr3> [--ics 1|2]`: reads and validates a mesh,
 * prints its statistics and every problem; exit 0 when the mesh is usable
 * (warnings at most), 1 when it is not.
 */
import { ICS_RULE, type Ics } from '../../core/geodesy.js';
import { readMesh } from '../../core/mesh/gr3.js';
import { formatInputProblem } from '../../core/inputProblems.js';
import { countProblems, hasErrors, type MeshProblem } from '../../core/mesh/mesh.js';
import { meshStats, type MeshStats, type Range } from '../../core/mesh/stats.js';
import { commandArguments } from './args.js';
import { UsageError, type Command, type CommandIO } from './command.js';

export const meshCheck: Command = async (args, io) => {
  const { file, ics } = parseArguments(args);
  const { mesh, problems } = await readMesh(file, { ics });
  if (mesh) printStats(meshStats(mesh, ics), file, mesh.title, io);
  printProblems(file, problems, io);
  const usable = mesh !== null && !hasErrors(problems);
  io.out(`result: ${usable ? 'usable' : 'not usable'}`);
  return usable ? 0 : 1;
};

function parseArguments(args: string[]): { file: string; ics: Ics | undefined } {
  const { positional, options } = commandArguments(args, 'the hgrid.gr3 file to check', ['ics']);
  const ics = options.ics;
  if (ics !== undefined && ics !== '1' && ics !== '2') throw new UsageError(`--ics takes 1 (metres) or 2 (lon/lat), got ${ics}`);
  return { file: positional, ics: ics === undefined ? undefined : (Number(ics) as Ics) };
}

function printStats(stats: MeshStats, file: string, title: string, io: CommandIO): void {
  const kind = stats.ics === 2 ? 'lon/lat (ics 2)' : 'metres (ics 1)';
  const unit = stats.ics === 2 ? '°' : ' m';
  io.out(`mesh: ${file}`);
  io.out(`title: ${title}`);
  io.out(`coordinates: ${kind}${stats.icsDetected ? `, detected: ${ICS_RULE}` : ', as given'}`);
  io.out(`nodes: ${stats.nodes}`);
  io.out(`triangles: ${stats.triangles}`);
  io.out(`open boundaries: ${stats.openBoundaries.count} (${stats.openBoundaries.nodes} nodes)`);
  io.out(`land boundaries: ${stats.landBoundaries.count} (${stats.landBoundaries.islands} islands, ${stats.landBoundaries.nodes} nodes)`);
  io.out(`x: ${span(stats.bounds.x, unit)}`);
  io.out(`y: ${span(stats.bounds.y, unit)}`);
  io.out(`depth: ${span(stats.depth, ' m')}`);
  io.out(`edge length: ${stats.edgeLength ? span(stats.edgeLength, ' m') : 'none (no triangles)'}`);
  io.out(`area: ${figure(stats.area)} m²`);
}

function printProblems(file: string, problems: MeshProblem[], io: CommandIO): void {
  const errors = countProblems(problems, 'error');
  const warnings = countProblems(problems, 'warning');
  io.out(`problems: ${errors} error${errors === 1 ? '' : 's'}, ${warnings} warning${warnings === 1 ? '' : 's'}`);
  for (const problem of problems) io.out(formatInputProblem(file, problem));
}

function span(range: Range, unit: string): string {
  return `${figure(range.min)} .. ${figure(range.max)}${unit}`;
}

/** Seven significant digits: enough to compare meshes, short enough to read. */
function figure(v: number): string {
  return String(Number(v.toPrecision(7)));
}
