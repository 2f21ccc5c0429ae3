/**
 * A run's model output as one forecast: the `outputs/out2d_<n>.nc` files in
 * block order, read through core/out2d.ts whatever their format (our classic
 * files or SCHISM's NetCDF-4), with the spin-up before the cycle time left out.
 * A run with a wave step carries the wave fields in every block; the forecast
 * has waves only if all its files agree on that.
 */
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';

import { openOut2d, type Coordinates, type Field, type Out2dFile, type OutputMesh } from '../../core/out2d.js';

/** What every product needs; SCHISM writes all four in every out2d file. */
export const REQUIRED_FIELDS: readonly Field[] = ['elevation', 'depthAverageVelX', 'depthAverageVelY', 'dryFlagNode'];

/** What the wave step adds to out2d (SCHISM's iof_wwm 1, 9 and 7): all three or none. */
export const WAVE_FIELDS = ['sigWaveHeight', 'peakPeriod', 'meanWaveDirection'] as const satisfies readonly Field[];

/** Wave conditions at every node for one output time, as the model wrote them. */
export interface WaveFields {
  /** m; 0 where the node is dry. */
  sigWaveHeight: Float32Array;
  /** s; meaningless where the node is dry. */
  peakPeriod: Float32Array;
  /** Degrees, nautical (where the waves come from), clockwise from the mesh's y axis; meaningless where the node is dry. */
  meanWaveDirection: Float32Array;
}

/** The model's fields at every node for one output time. */
export interface NodeFields {
  elevation: Float32Array;
  velocityX: Float32Array;
  velocityY: Float32Array;
  /** 1 where the node is dry, 0 where wet. */
  dry: Uint8Array;
  /** Present when the run has a wave step. */
  waves?: WaveFields;
}

interface FrameSource {
  file: Out2dFile;
  frame: number;
}

export interface ModelOutput {
  readonly mesh: OutputMesh;
  readonly coordinates: Coordinates;
  /** Whether the out2d files carry the wave fields (then every NodeFields has `waves`). */
  readonly waves: boolean;
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

const variables = (names: readonly string[]) => `variable${names.length > 1 ? 's' : ''} ${names.join(', ')}`;

function hasWaves(file: Out2dFile): boolean {
  const present = WAVE_FIELDS.filter((field) => file.fields.includes(field));
  if (present.length === 0) return false;
  const missing = WAVE_FIELDS.filter((field) => !file.fields.includes(field));
  if (missing.length) throw new Error(`${file.path}: ${variables(missing)} missing beside ${present.join(', ')} (a run with waves writes ${WAVE_FIELDS.join(', ')})`);
  return true;
}

function checkFile(file: Out2dFile, first: Out2dFile | undefined): void {
  const missing = REQUIRED_FIELDS.filter((field) => !file.fields.includes(field));
  if (missing.length) throw new Error(`${file.path}: ${variables(missing)} missing (post-processing needs ${REQUIRED_FIELDS.join(', ')})`);
  const waves = hasWaves(file);
  if (!first) return;
  if (waves !== hasWaves(first)) {
    // Blocks of one run come from one param.nml: a disagreement means files of different runs were mixed.
    const [withWaves, without] = waves ? [file, first] : [first, file];
    throw new Error(`${without.path}: no wave fields (${WAVE_FIELDS.join(', ')}), but ${withWaves.path} of the same run has them`);
  }
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
    const waves = hasWaves(files[0]);
    return {
      mesh,
      coordinates: files[0].coordinates,
      waves,
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
        if (!waves) return { elevation, velocityX, velocityY, dry };
        const [sigWaveHeight, peakPeriod, meanWaveDirection] = [
          await file.readFrame('sigWaveHeight', frame),
          await file.readFrame('peakPeriod', frame),
          await file.readFrame('meanWaveDirection', frame),
        ];
        return { elevation, velocityX, velocityY, dry, waves: { sigWaveHeight, peakPeriod, meanWaveDirection } };
      },
      close,
    };
  } catch (error) {
    await close();
    throw error;
  }
}
