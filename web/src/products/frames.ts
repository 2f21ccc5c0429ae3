/**
 * Frames of a cycle's products: one Float32Array per node for each variable
 * and output time (contract in activities/products/frames.ts), fetched once
 * through the cycle's ProductCache; the store also fetches ahead of the
 * slider so that playing never waits on the network.
 */
import type { FrameIndex } from '../api/types';
import type { ProductCache } from './productCache';

export class FrameStore {
  constructor(
    readonly index: FrameIndex,
    private readonly products: ProductCache,
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
    return this.products.get(path, async (response) => {
      const values = new Float32Array(await response.arrayBuffer());
      if (values.length !== this.index.nodeCount) throw new Error(`${path}: ${values.length} values, expected ${this.index.nodeCount} (one per node)`);
      return values;
    });
  }
}
