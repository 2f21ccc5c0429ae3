/**
 * Frames of a cycle's products, fetched once and kept: one Float32Array per
 * node for each variable and output time (contract in
 * activities/products/frames.ts). Products never change, so a frame fetched
 * is good for the whole session; the store also fetches ahead of the slider
 * so that playing never waits on the network.
 */
import type { FrameIndex } from '../api/types';

export class FrameStore {
  private readonly frames = new Map<string, Promise<Float32Array>>();

  constructor(
    readonly index: FrameIndex,
    private readonly url: (path: string) => string,
  ) {}

  variable(name: string): FrameIndex['variables'][number] {
    const variable = this.index.variables.find((v) => v.name === name);
    if (!variable) throw new Error(`products have no variable "${name}" (they have ${this.index.variables.map((v) => v.name).join(', ')})`);
    return variable;
  }

  /** The frame of `variable` at output time `index`. */
  frame(variable: string, index: number): Promise<Float32Array> {
    return this.load(this.variable(variable).frames.replace('{index}', String(index)));
  }

  /** The variable's maximum over the forecast. */
  max(variable: string): Promise<Float32Array> {
    const max = this.index.max.find((m) => m.variable === variable);
    if (!max) throw new Error(`products have no maximum of "${variable}"`);
    return this.load(max.file);
  }

  /** Starts fetching the next `count` frames after `index` (wrapping), so a playing slider finds them ready. */
  prefetch(variable: string, index: number, count: number): void {
    const times = this.index.times.length;
    for (let k = 1; k <= Math.min(count, times - 1); k++) void this.frame(variable, (index + k) % times).catch(() => undefined);
  }

  private load(path: string): Promise<Float32Array> {
    let frame = this.frames.get(path);
    if (!frame) {
      frame = fetch(this.url(path)).then(async (response) => {
        if (!response.ok) throw new Error(`${path}: ${response.status} ${response.statusText}`);
        const values = new Float32Array(await response.arrayBuffer());
        if (values.length !== this.index.nodeCount) throw new Error(`${path}: ${values.length} values, expected ${this.index.nodeCount} (one per node)`);
        return values;
      });
      // A failed fetch is not kept: the next request tries again.
      frame.catch(() => this.frames.delete(path));
      this.frames.set(path, frame);
    }
    return frame;
  }
}
