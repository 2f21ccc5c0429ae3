/**
 * Where a run's products are written: everything goes into
 * `<run>/products.partial/` and becomes `<run>/products/` by renames only
 * once every product is written, so the web app and the API never see half a
 * products folder, and a failed post-processing leaves the previous one as it was.
 */
import { existsSync } from 'node:fs';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';

export const PRODUCTS_DIR = 'products';
const PARTIAL_DIR = 'products.partial';
/** The folder being replaced, between the two renames of publish(). */
const REPLACED_DIR = 'products.replaced';

/**
 * Float32 values as little-endian bytes, whatever the host's byte order, so
 * that a browser reads them with `new Float32Array(buffer)` (browsers run on
 * little-endian machines) or DataView.getFloat32(offset, true).
 */
export function float32LittleEndian(values: ArrayLike<number>): Uint8Array {
  const bytes = new Uint8Array(4 * values.length);
  const view = new DataView(bytes.buffer);
  for (let i = 0; i < values.length; i++) view.setFloat32(4 * i, values[i], true);
  return bytes;
}

export class ProductFiles {
  private readonly written: string[] = [];
  private readonly folders = new Set<string>();

  private constructor(
    private readonly runDir: string,
    readonly partialDir: string,
  ) {}

  /** Starts a products folder for a run, clearing what an interrupted attempt left. */
  static async start(runDir: string): Promise<ProductFiles> {
    const partialDir = join(runDir, PARTIAL_DIR);
    await rm(partialDir, { recursive: true, force: true });
    // A crash between publish()'s two renames leaves the previous products aside: put them back.
    const replaced = join(runDir, REPLACED_DIR);
    if (existsSync(replaced)) {
      if (existsSync(join(runDir, PRODUCTS_DIR))) await rm(replaced, { recursive: true, force: true });
      else await rename(replaced, join(runDir, PRODUCTS_DIR));
    }
    await mkdir(partialDir);
    return new ProductFiles(runDir, partialDir);
  }

  /** Paths written so far, relative to the products folder, in the order written. */
  get files(): readonly string[] {
    return this.written;
  }

  async write(path: string, data: Uint8Array | string): Promise<void> {
    const target = join(this.partialDir, path);
    const folder = dirname(target);
    if (!this.folders.has(folder)) {
      await mkdir(folder, { recursive: true });
      this.folders.add(folder);
    }
    await writeFile(target, data);
    this.written.push(path);
  }

  writeJson(path: string, value: unknown): Promise<void> {
    return this.write(path, `${JSON.stringify(value)}\n`);
  }

  /** Makes the written products the run's `products/`, replacing an earlier set. */
  async publish(): Promise<string> {
    const finalDir = join(this.runDir, PRODUCTS_DIR);
    const replaced = join(this.runDir, REPLACED_DIR);
    // rename() cannot replace a non-empty folder: move the old one aside first.
    const hadProducts = await rename(finalDir, replaced).then(
      () => true,
      (error: NodeJS.ErrnoException) => {
        if (error.code === 'ENOENT') return false;
        throw error;
      },
    );
    try {
      await rename(this.partialDir, finalDir);
    } catch (error) {
      if (hadProducts) await rename(replaced, finalDir);
      throw error;
    }
    if (hadProducts) await rm(replaced, { recursive: true, force: true });
    return finalDir;
  }

  async discard(): Promise<void> {
    await rm(this.partialDir, { recursive: true, force: true });
  }
}
