/**
 * Writes an out2d-like file (SCHISM layout: time, elevation and depth-averaged
 * velocity per node and time) with NetcdfWriter and prints its throughput next
 * to the raw write floor (the same bytes written with fs, no encoding), and how
 * fast the real ncdump reads elevation back. Figures are printed, never asserted.
 *
 *   node --import tsx bench/netcdf-write.ts [--nodes N] [--records R]
 */
import { spawn } from 'node:child_process';
import { mkdtemp, open, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { NetcdfWriter, type NetcdfSchema } from '../core/netcdf/writer.js';

const { values: options } = parseArgs({
  options: { nodes: { type: 'string', default: '1000000' }, records: { type: 'string', default: '72' } },
});
const nodes = Number(options.nodes);
const records = Number(options.records);
const FIELDS = ['elevation', 'depthAverageVelX', 'depthAverageVelY'] as const;
const MB = 1e6;

function out2dSchema(): NetcdfSchema {
  const perNode = (name: string, units: string) => ({
    name,
    type: 'float' as const,
    dimensions: ['time', 'nSCHISM_hgrid_node'],
    attributes: [{ name: 'units', type: 'char' as const, value: units }],
  });
  return {
    format: '64bit-offset',
    dimensions: [
      { name: 'time', size: 'unlimited' },
      { name: 'nSCHISM_hgrid_node', size: nodes },
    ],
    attributes: [{ name: 'Conventions', type: 'char', value: 'CF-1.7, UGRID-1.0' }],
    variables: [
      {
        name: 'time',
        type: 'double',
        dimensions: ['time'],
        attributes: [{ name: 'units', type: 'char', value: 'seconds since 2026-11-25 00:00:00 +00:00' }],
      },
      perNode('elevation', 'm'),
      perNode('depthAverageVelX', 'm s-1'),
      perNode('depthAverageVelY', 'm s-1'),
    ],
  };
}

/** Cheap varying values: the bench is about writing, not about making data. */
function fillFrame(frame: Float32Array, record: number, salt: number): void {
  for (let i = 0; i < frame.length; i++) frame[i] = ((i * 7 + record * 13 + salt) % 1000) * 0.001 - 0.5;
}

/** Seconds spent in the writer (appendRecord and close), excluding making the frames. */
async function writeWithNetcdfWriter(path: string): Promise<number> {
  const frames = FIELDS.map(() => new Float32Array(nodes));
  const writer = await NetcdfWriter.create(path, out2dSchema());
  let seconds = 0;
  for (let r = 0; r < records; r++) {
    frames.forEach((frame, salt) => fillFrame(frame, r, salt));
    const start = performance.now();
    await writer.appendRecord({ time: [r * 3600], elevation: frames[0], depthAverageVelX: frames[1], depthAverageVelY: frames[2] });
    seconds += (performance.now() - start) / 1000;
  }
  const start = performance.now();
  await writer.close();
  return seconds + (performance.now() - start) / 1000;
}

/** The floor: the same number of bytes, 4 MiB positioned writes, one datasync, as the writer does. */
async function writeRaw(path: string, bytes: number): Promise<number> {
  const chunk = new Uint8Array(4 * 1024 * 1024).fill(7);
  const start = performance.now();
  const file = await open(path, 'w');
  for (let at = 0; at < bytes; at += chunk.byteLength) {
    await file.write(chunk, 0, Math.min(chunk.byteLength, bytes - at), at);
  }
  await file.datasync();
  await file.close();
  return (performance.now() - start) / 1000;
}

async function readRaw(path: string): Promise<number> {
  const chunk = new Uint8Array(4 * 1024 * 1024);
  const start = performance.now();
  const file = await open(path, 'r');
  while ((await file.read(chunk, 0, chunk.byteLength, null)).bytesRead > 0);
  await file.close();
  return (performance.now() - start) / 1000;
}

function timeCommand(command: string, args: string[]): Promise<number> {
  const start = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'ignore', 'inherit'] });
    child.on('error', reject);
    child.on('exit', (code) =>
      code === 0 ? resolve((performance.now() - start) / 1000) : reject(new Error(`${command} exited with ${code}`)),
    );
  });
}

const line = (label: string, value: string): void => console.log(`${label.padEnd(34)} ${value}`);

async function main(): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'netcdf-write-bench-'));
  try {
    const path = join(dir, 'out2d_1.nc');
    console.log(`out2d layout: ${records} records × ${nodes} nodes × ${FIELDS.length} float fields + time (64-bit offset)`);
    const writeSeconds = await writeWithNetcdfWriter(path);
    const bytes = (await stat(path)).size;
    line('file size', `${(bytes / MB).toFixed(1)} MB`);
    line('NetcdfWriter write', `${writeSeconds.toFixed(2)} s, ${(bytes / MB / writeSeconds).toFixed(0)} MB/s`);
    line('peak RSS (writer + frames)', `${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MiB`);

    const rawPath = join(dir, 'raw.bin');
    const rawSeconds = await writeRaw(rawPath, bytes);
    await rm(rawPath);
    line('raw fs write floor (same bytes)', `${rawSeconds.toFixed(2)} s, ${(bytes / MB / rawSeconds).toFixed(0)} MB/s`);
    line('writer / raw floor', `${(writeSeconds / rawSeconds).toFixed(2)}×`);

    const elevationBytes = records * nodes * 4;
    const ncdumpSeconds = await timeCommand('ncdump', ['-v', 'elevation', path]);
    const readSeconds = await readRaw(path);
    line('ncdump -v elevation > /dev/null', `${ncdumpSeconds.toFixed(2)} s, ${(elevationBytes / MB / ncdumpSeconds).toFixed(1)} MB/s of elevation`);
    line('raw fs read of the file (baseline)', `${readSeconds.toFixed(2)} s, ${(bytes / MB / readSeconds).toFixed(0)} MB/s`);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

await main();
