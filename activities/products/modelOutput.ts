/**
 * A run's model output as one forecast: the `outputs/out2d_<n>.nc` files in
 * block order, read through core/out2d.ts whatever their format (our classic
 * files or SCHISM's NetCDF-4), with the spin-up before the cycle time left out.
 */
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';

import { openOut2d, type Coordinates, type Field, type Out2dFile, type OutputMesh } from '../../core/out2d.js';

/** What every product needs; SCHISM writes all four in every out2d file. */
export const REQUIRED_FIELDS: readonly Field[] = ['elevation', 'depthAverageVelX', 'depthAverageVelY', 'dryFlagNode'];

/** The model's fields at every node for one output time. */
export interface NodeFields {
  elevation: Float32Array;
  velocityX: Float32Array;
  velocityY: Float32Array;
  /** 1 where the node is dry, 0 where wet. */
  dry: Uint8Array;
}

interface FrameSource {
  file: Out2dFile;
  frame: number;
}

export interface ModelOutput {
  readonly mesh: OutputMesh;
  readonly coordinates: Coordinates;
  /** The forecast's output times: those at or after the cycle, in order. */
  readonly times: Date[];
  /** Fields at forecast output time `index` (0 = first at or after the cycle). */
  read(index: number): Promise<NodeFields>;
  close(): Promise<void>;
}

/** The out2d files of `<runDir>/outputs`, by block number (out2d_2 before out2d_10). */
export async function out2dPaths(runDir: string): Promise<string[]> {
  const folder = join(runDir, 'outputs');
  let names: string[];
  try {
    names = await readdir(folder);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw new Error(`${folder}: no such folder: the model run left no output`);
    throw error;
  }
  const blocks = names.flatMap((name) => {
    const match = /^out2d_(\d+)\.nc$/.exec(name);
    return match ? [{ name, block: Number(match[1]) }] : [];
  });
  if (blocks.length === 0) throw new Error(`${folder}: no out2d_<n>.nc files: the model run left no output`);
  return blocks.sort((a, b) => a.block - b.block).map((b) => join(folder, b.name));
}

function checkFile(file: Out2dFile, first: Out2dFile | undefined): void {
  const missing = REQUIRED_FIELDS.filter((field) => !file.fields.includes(field));
  if (missing.length) throw new Error(`${file.path}: variable${missing.length > 1 ? 's' : ''} ${missing.join(', ')} missing (post-processing needs ${REQUIRED_FIELDS.join(', ')})`);
  if (!first) return;
  const [a, b] = [first.mesh, file.mesh];
  if (a.x.length !== b.x.length || a.triangles.length !== b.triangles.length) {
    throw new Error(`${file.path}: mesh of ${b.x.length} nodes and ${b.triangles.length / 3} triangles differs from ${first.path} (${a.x.length} nodes, ${a.triangles.length / 3} triangles)`);
  }
}

/** Opens a run's output and selects the forecast period: output times ≥ cycle. */
export async function openModelOutput(runDir: string, cycle: Date): Promise<ModelOutput> {
  const files: Out2dFile[] = [];
  const close = () => Promise.all(files.map((f) => f.close())).then(() => undefined);
  try {
    const sources: FrameSource[] = [];
    const times: Date[] = [];
    let previous: { time: Date; path: string } | undefined;
    for (const path of await out2dPaths(runDir)) {
      const file = await openOut2d(path);
      files.push(file);
      checkFile(file, files[0] === file ? undefined : files[0]);
      file.times.forEach((time, frame) => {
        if (previous && time.getTime() <= previous.time.getTime()) {
          throw new Error(`${path}: output time ${time.toISOString()} (frame ${frame}) does not follow ${previous.time.toISOString()} in ${previous.path}: out2d blocks must be in time order`);
        }
        previous = { time, path };
        if (time.getTime() >= cycle.getTime()) {
          sources.push({ file, frame });
          times.push(time);
        }
      });
    }
    if (sources.length === 0) {
      throw new Error(`${join(runDir, 'outputs')}: no output at or after the cycle time ${cycle.toISOString()} (last output ${previous?.time.toISOString() ?? 'none'})`);
    }
    const mesh = files[0].mesh;
    return {
      mesh,
      coordinates: files[0].coordinates,
      times,
      async read(index) {
        const { file, frame } = sources[index];
        const [elevation, velocityX, velocityY, dryFlag] = [
          await file.readFrame('elevation', frame),
          await file.readFrame('depthAverageVelX', frame),
          await file.readFrame('depthAverageVelY', frame),
          await file.readFrame('dryFlagNode', frame),
        ];
        const dry = new Uint8Array(dryFlag.length);
        for (let n = 0; n < dry.length; n++) dry[n] = dryFlag[n] === 0 ? 0 : 1;
        return { elevation, velocityX, velocityY, dry };
      },
      close,
    };
  } catch (error) {
    await close();
    throw error;
  }
}
