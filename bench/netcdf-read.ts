/**
 * Read throughput of the NetCDF reader on an out2d-like file (default 72
 * records × 1 M nodes, about 1.2 GB), with `ncdump -v elevation` on the same
 * file as a baseline. Prints figures only.
 *
 *   node --import tsx bench/netcdf-read.ts [--nodes N] [--records R]
 */
import { spawn } from 'node:child_process';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

import { openNetcdf } from '../core/netcdf/reader.js';
import { NetcdfWriter } from '../core/netcdf/writer.js';

const { values: options } = parseArgs({
  options: { nodes: { type: 'string', default: '1000000' }, records: { type: 'string', default: '72' } },
});
const nodes = Number(options.nodes);
const records = Number(options.records);

const NODE_VARIABLES = ['elevation', 'depthAverageVelX', 'depthAverageVelY'] as const;
const MB = 1024 * 1024;

function seconds(since: bigint): number {
  return Number(process.hrtime.bigint() - since) / 1e9;
}

function peakRssMb(): number {
  return process.resourceUsage().maxRSS / 1024;
}

function report(label: string, bytes: number, elapsed: number): number {
  const rate = bytes / MB / elapsed;
  console.log(`${label.padEnd(44)} ${(bytes / MB).toFixed(1).padStart(8)} MB ${elapsed.toFixed(2).padStart(7)} s ${rate.toFixed(1).padStart(8)} MB/s   peak RSS ${peakRssMb().toFixed(0)} MB`);
  return rate;
}

async function writeOut2d(path: string): Promise<void> {
  const writer = await NetcdfWriter.create(path, {
    format: '64bit-offset',
    dimensions: [
      { name: 'nSCHISM_hgrid_node', size: nodes },
      { name: 'time', size: 'unlimited' },
    ],
    attributes: [{ name: 'Conventions', type: 'char', value: 'CF-1.8, UGRID-1.0' }],
    variables: [
      { name: 'time', type: 'double', dimensions: ['time'], attributes: [{ name: 'units', type: 'char', value: 'seconds since 2018-01-01 00:00:00 +00:00' }] },
      { name: 'depth', type: 'float', dimensions: ['nSCHISM_hgrid_node'] },
      ...NODE_VARIABLES.map((name) => ({ name, type: 'float' as const, dimensions: ['time', 'nSCHISM_hgrid_node'] })),
      { name: 'dryFlagNode', type: 'byte', dimensions: ['time', 'nSCHISM_hgrid_node'] },
    ],
  });
  const frame = new Float32Array(nodes);
  const dry = new Int8Array(nodes);
  await writer.write('depth', frame.map((_, i) => 5 + (i % 100)));
  for (let record = 0; record < records; record++) {
    for (let i = 0; i < nodes; i++) frame[i] = Math.sin(i * 1e-3 + record * 0.1);
    for (let i = 0; i < nodes; i++) dry[i] = frame[i] > 0.9 ? 1 : 0;
    await writer.appendRecord({
      time: [record * 3600],
      elevation: frame,
      depthAverageVelX: frame,
      depthAverageVelY: frame,
      dryFlagNode: dry,
    });
  }
  await writer.close();
}

function ncdumpElevation(path: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn('ncdump', ['-v', 'elevation', path], { stdio: ['ignore', 'ignore', 'inherit'] });
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`ncdump exited with ${code}`))));
  });
}

async function main(): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'coastcast-bench-'));
  try {
    const path = join(dir, 'out2d_1.nc');
    console.log(`out2d-like file: ${records} records × ${nodes} nodes`);
    let started = process.hrtime.bigint();
    await writeOut2d(path);
    report('write (NetcdfWriter, for setup)', (await stat(path)).size, seconds(started));

    const file = await openNetcdf(path);
    const recordVariables = file.variables.filter((v) => v.record);
    let bytes = 0;
    started = process.hrtime.bigint();
    for (let record = 0; record < file.recordCount; record++) {
      for (const variable of recordVariables) bytes += (await file.readRecord(variable.name, record)).length * bytesPerValue(variable.type);
    }
    report('readRecord, every record of every variable', bytes, seconds(started));

    started = process.hrtime.bigint();
    const elevation = await file.read('elevation');
    const elevationBytes = elevation.length * 4;
    const readRate = report("read('elevation') whole", elevationBytes, seconds(started));
    await file.close();

    started = process.hrtime.bigint();
    await ncdumpElevation(path);
    const ncdumpRate = report('baseline: ncdump -v elevation > /dev/null', elevationBytes, seconds(started));
    console.log(`whole-variable read vs ncdump: ${(readRate / ncdumpRate).toFixed(1)}×`);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

function bytesPerValue(type: string): number {
  return { byte: 1, char: 1, short: 2, int: 4, float: 4, double: 8 }[type] ?? 8;
}

await main();
