/**
 * Streaming writer for NetCDF classic (CDF-1) and 64-bit offset (CDF-2) files.
 *
 * The whole layout is fixed by the schema, so every value has a known offset
 * and is written with positioned writes from one reused chunk buffer: a model
 * run can append 72 frames of a million nodes without ever holding more than
 * one frame (its own) and one chunk in memory. Consecutive small pieces (a
 * time value, the records of a station series) share one write. The file is
 * built at `<path>.partial` and only renamed onto `path` by close().
 */
import { open, rename, rm, type FileHandle } from 'node:fs/promises';
import {
  INTEGER_RANGE,
  MAX_RECORDS,
  NUMRECS_OFFSET,
  TYPE_SIZE,
  planClassicFile,
  setValue,
  type ClassicLayout,
  type VariableLayout,
} from './classicHeader.js';
import { NetcdfFormatError, type Attribute, type ClassicType } from './types.js';

export interface DimensionSpec {
  name: string;
  size: number | 'unlimited';
}

export interface VariableSpec {
  name: string;
  type: ClassicType;
  dimensions: string[];
  attributes?: Attribute[];
}

export interface NetcdfSchema {
  format: 'classic' | '64bit-offset';
  dimensions: DimensionSpec[];
  attributes?: Attribute[];
  variables: VariableSpec[];
}

/**
 * Values in row-major order. Char variables also take a string (when they
 * have one row) or one string per row along their last dimension, NUL-padded.
 */
export type WriteData = ArrayLike<number> | string | string[];

/** Large enough that a 1 M-node float frame is one write, small enough to never matter for memory. */
const CHUNK_BYTES = 4 * 1024 * 1024;

/** Encodes values [from, to) of one variable big-endian into view, value `from` at byte `at`. */
type RangeEncoder = (view: DataView, at: number, from: number, to: number) => void;

type State = 'open' | 'closed' | 'aborted';

/** Buffers bytes bound for consecutive file offsets and writes them a chunk at a time. */
class ChunkedFile {
  private readonly chunk = new Uint8Array(CHUNK_BYTES);
  readonly view = new DataView(this.chunk.buffer);
  /** File offset of chunk[0]. */
  private start = 0;
  /** Bytes buffered, and so the chunk offset where the next byte goes. */
  length = 0;

  constructor(readonly handle: FileHandle) {}

  /**
   * Makes `position` the next byte to buffer, flushing first if it does not
   * follow what is buffered or fewer than `minimum` bytes are free; returns the free bytes.
   */
  async seek(position: number, minimum: number): Promise<number> {
    if (position !== this.start + this.length || CHUNK_BYTES - this.length < minimum) {
      await this.flush();
      this.start = position;
    }
    return CHUNK_BYTES - this.length;
  }

  async flush(): Promise<void> {
    if (this.length > 0) await this.handle.write(this.chunk, 0, this.length, this.start);
    this.length = 0;
  }
}

export class NetcdfWriter {
  private readonly out: ChunkedFile;
  private readonly byName: Map<string, VariableLayout>;
  private readonly writtenFixed = new Set<VariableLayout>();
  private records = 0;
  private state: State = 'open';
  /** Operations run one after another: they share the chunk buffer and the record counter. */
  private queue: Promise<unknown> = Promise.resolve();

  private constructor(
    private readonly path: string,
    private readonly partialPath: string,
    private readonly layout: ClassicLayout,
    private readonly file: FileHandle,
  ) {
    this.out = new ChunkedFile(file);
    this.byName = new Map(layout.variables.map((v) => [v.name, v]));
  }

  /** Checks the schema (throwing before any file exists) and writes the header to `<path>.partial`. */
  static async create(path: string, schema: NetcdfSchema): Promise<NetcdfWriter> {
    const layout = planClassicFile(path, schema);
    const partialPath = `${path}.partial`;
    const writer = new NetcdfWriter(path, partialPath, layout, await open(partialPath, 'w'));
    try {
      await writer.file.write(layout.header, 0, layout.header.byteLength, 0);
    } catch (error) {
      await writer.discard();
      throw error;
    }
    return writer;
  }

  get recordCount(): number {
    return this.records;
  }

  /**
   * Writes a whole fixed-size variable. Data is checked before anything is
   * written, so a rejected call leaves the file as it was.
   */
  write(name: string, data: WriteData): Promise<void> {
    return this.serialize(`write "${name}"`, async () => {
      const variable = this.variable(name);
      if (variable.isRecord) {
        throw this.error(`"${variable.name}" is a record variable (it uses the unlimited dimension); write it with appendRecord()`);
      }
      const encode = this.encoderFor(variable, data, `variable "${variable.name}"`);
      this.writtenFixed.delete(variable);
      await this.writeSlot(variable, variable.begin, encode);
      this.writtenFixed.add(variable);
    });
  }

  /**
   * Writes the next record of every record variable (fill values for those
   * not given) and returns its index. All data is checked first.
   */
  appendRecord(values: Record<string, WriteData>): Promise<number> {
    return this.serialize('appendRecord', async () => {
      const { recordVariables, recordBytes } = this.layout;
      if (recordVariables.length === 0) {
        throw this.error('appendRecord: the schema has no record variables (no variable uses an unlimited dimension)');
      }
      if (this.records >= MAX_RECORDS) throw this.error(`appendRecord: the classic formats hold at most ${MAX_RECORDS} records`);
      const index = this.records;
      const encoders = new Map<VariableLayout, RangeEncoder>();
      for (const [name, data] of Object.entries(values)) {
        const variable = this.variable(name);
        if (!variable.isRecord) {
          throw this.error(`"${variable.name}" is a fixed-size variable (no unlimited dimension); write it with write(), not appendRecord()`);
        }
        encoders.set(variable, this.encoderFor(variable, data, `variable "${variable.name}" record ${index}`));
      }
      for (const variable of recordVariables) {
        const encode = encoders.get(variable) ?? fillEncoder(variable);
        await this.writeSlot(variable, variable.begin + index * recordBytes, encode);
      }
      this.records = index + 1;
      return index;
    });
  }

  /** Fills fixed variables never written, records numrecs, syncs and renames the file into place. */
  close(): Promise<void> {
    return this.serialize('close', async () => {
      try {
        for (const variable of this.layout.variables) {
          if (!variable.isRecord && !this.writtenFixed.has(variable)) {
            await this.writeSlot(variable, variable.begin, fillEncoder(variable));
          }
        }
        await this.out.flush();
        const numrecs = new Uint8Array(4);
        new DataView(numrecs.buffer).setUint32(0, this.records);
        await this.file.write(numrecs, 0, 4, NUMRECS_OFFSET);
        // An appendRecord whose write failed may have left bytes past the last counted record.
        await this.file.truncate(this.layout.beginRecords + this.records * this.layout.recordBytes);
        // Without the sync a crash right after the rename could publish a file whose data never reached the disk.
        await this.file.datasync();
        await this.file.close();
        await rename(this.partialPath, this.path);
        this.state = 'closed';
      } catch (error) {
        await this.discard();
        throw error;
      }
    });
  }

  /** Removes the partial file; nothing ever appears at the final path. A no-op once closed or aborted. */
  abort(): Promise<void> {
    const result = this.queue.then(() => (this.state === 'open' ? this.discard() : undefined));
    this.queue = result.catch(() => undefined);
    return result;
  }

  private serialize<T>(operation: string, task: () => Promise<T>): Promise<T> {
    const result = this.queue.then(() => {
      if (this.state !== 'open') throw this.error(`${operation}: the file is already ${this.state}`);
      return task();
    });
    this.queue = result.catch(() => undefined);
    return result;
  }

  private async discard(): Promise<void> {
    this.state = 'aborted';
    await this.file.close().catch(() => undefined);
    await rm(this.partialPath, { force: true });
  }

  private error(detail: string): NetcdfFormatError {
    return new NetcdfFormatError(this.path, detail);
  }

  private variable(name: string): VariableLayout {
    const variable = this.byName.get(name.normalize('NFC'));
    if (!variable) throw this.error(`no variable named "${name}" in the schema`);
    return variable;
  }

  /** Checks data against one slot of the variable (all of it, or one record) and returns its encoder. */
  private encoderFor(variable: VariableLayout, data: WriteData, label: string): RangeEncoder {
    if (typeof data === 'string' || (Array.isArray(data) && typeof data[0] === 'string')) {
      if (variable.type !== 'char') throw this.error(`${label} has type ${variable.type}; strings are only for char variables`);
      return this.textEncoder(variable, typeof data === 'string' ? [data] : (data as string[]), label, typeof data === 'string');
    }
    if (data === null || typeof data !== 'object' || typeof data.length !== 'number') {
      throw this.error(`${label}: expected an array of numbers, got ${data === null ? 'null' : typeof data}`);
    }
    const values = data as ArrayLike<number>;
    if (values.length !== variable.count) {
      const shape = variable.shape.length > 0 ? ` (${variable.shape.join(' × ')})` : ' (scalar)';
      throw this.error(`${label}: expected ${variable.count} values${shape}${variable.isRecord ? ' per record' : ''}, got ${values.length}`);
    }
    this.checkIntegers(variable.type, values, label);
    return numberEncoder(variable.type, values);
  }

  private checkIntegers(type: ClassicType, values: ArrayLike<number>, label: string): void {
    const range = INTEGER_RANGE[type];
    if (!range) return;
    const [low, high] = range;
    for (let i = 0; i < values.length; i++) {
      const value = values[i];
      if (!(Number.isInteger(value) && value >= low && value <= high)) {
        throw this.error(`${label}: value ${value} at index ${i} is not an integer in the ${type} range ${low}..${high}`);
      }
    }
  }

  /** Char rows along the last dimension, each UTF-8 encoded and NUL-padded to its length. */
  private textEncoder(variable: VariableLayout, rows: string[], label: string, single: boolean): RangeEncoder {
    const rowLength = variable.shape.at(-1) ?? 1;
    const rowCount = variable.count / rowLength;
    if (rows.length !== rowCount) {
      throw this.error(
        single
          ? `${label} has ${rowCount} rows of ${rowLength} chars; give an array of ${rowCount} strings, not one string`
          : `${label}: expected ${rowCount} strings of up to ${rowLength} chars, got ${rows.length}`,
      );
    }
    rows.forEach((row, i) => {
      if (typeof row !== 'string') throw this.error(`${label}: row ${i} is not a string`);
      const bytes = Buffer.byteLength(row, 'utf8');
      if (bytes > rowLength) {
        throw this.error(`${label}: string ${i} ${JSON.stringify(row.slice(0, 40))} is ${bytes} bytes, longer than the row length ${rowLength}`);
      }
    });
    return (view, at, from, to) => {
      const target = new Uint8Array(view.buffer, view.byteOffset + at, to - from);
      target.fill(0);
      for (let row = Math.floor(from / rowLength); row * rowLength < to; row++) {
        const rowStart = row * rowLength;
        const bytes = Buffer.from(rows[row], 'utf8');
        // A row may straddle two chunks: copy only the part inside [from, to).
        const part = bytes.subarray(Math.max(0, from - rowStart), Math.max(0, to - rowStart));
        target.set(part, rowStart + Math.max(0, from - rowStart) - from);
      }
    };
  }

  /** Encodes one variable (or one record of it) and its fill padding into the chunk, flushing as it fills. */
  private async writeSlot(variable: VariableLayout, position: number, encode: RangeEncoder): Promise<void> {
    const size = TYPE_SIZE[variable.type];
    const total = variable.slotBytes / size;
    const pad = fillEncoder(variable);
    const { out } = this;
    for (let from = 0; from < total; ) {
      const room = Math.floor((await out.seek(position + from * size, size)) / size);
      const to = Math.min(total, from + room);
      const dataEnd = Math.min(to, variable.count);
      if (from < dataEnd) encode(out.view, out.length, from, dataEnd);
      // The spec pads data with the variable's fill value, not zeros.
      if (to > dataEnd) pad(out.view, out.length + (Math.max(from, dataEnd) - from) * size, Math.max(from, dataEnd), to);
      out.length += (to - from) * size;
      from = to;
    }
  }
}

/** One loop per type so the hot loop has no switch in it. */
function numberEncoder(type: ClassicType, values: ArrayLike<number>): RangeEncoder {
  switch (type) {
    case 'byte':
      return (view, at, from, to) => {
        for (let i = from; i < to; i++, at++) view.setInt8(at, values[i]);
      };
    case 'char':
      return (view, at, from, to) => {
        for (let i = from; i < to; i++, at++) view.setUint8(at, values[i]);
      };
    case 'short':
      return (view, at, from, to) => {
        for (let i = from; i < to; i++, at += 2) view.setInt16(at, values[i]);
      };
    case 'int':
      return (view, at, from, to) => {
        for (let i = from; i < to; i++, at += 4) view.setInt32(at, values[i]);
      };
    case 'float':
      return (view, at, from, to) => {
        for (let i = from; i < to; i++, at += 4) view.setFloat32(at, values[i]);
      };
    case 'double':
      return (view, at, from, to) => {
        for (let i = from; i < to; i++, at += 8) view.setFloat64(at, values[i]);
      };
  }
}

function fillEncoder(variable: VariableLayout): RangeEncoder {
  const { type, fill } = variable;
  const size = TYPE_SIZE[type];
  return (view, at, from, to) => {
    for (let i = from; i < to; i++, at += size) setValue(view, type, at, fill);
  };
}
