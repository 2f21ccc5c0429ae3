/**
 * One reader for every NetCDF flavour we meet: classic and 64-bit offset
 * (our own model's output) through netcdfjs, NetCDF-4 (SCHISM's) through
 * h5wasm. The format is chosen from the file's magic bytes; both backends sit
 * behind the same NetcdfFile, which owns lookups, range checks, char decoding
 * and CF time decoding so they behave identically.
 */
import { open } from 'node:fs/promises';

import { openClassicBackend } from './classicFile.js';
import { decodeCfTimes } from './cfTime.js';
import { openHdf5Backend } from './hdf5File.js';
import { NetcdfFormatError } from './types.js';
import type { Attribute, Dimension, NcData, NcType, NetcdfFormat, NumericArray } from './types.js';

export interface VariableInfo {
  name: string;
  type: NcType;
  dimensions: string[];
  /** Current shape; for a record variable the first entry is the number of records. */
  shape: number[];
  attributes: Attribute[];
  /** True when the first dimension is the unlimited (record) dimension. */
  record: boolean;
}

export interface NetcdfFile {
  readonly path: string;
  readonly format: NetcdfFormat;
  readonly dimensions: Dimension[];
  /** Global attributes. */
  readonly attributes: Attribute[];
  readonly variables: VariableInfo[];
  /** Length of the unlimited dimension (0 if none). */
  readonly recordCount: number;
  hasVariable(name: string): boolean;
  /** Throws naming the file and the missing variable. */
  variable(name: string): VariableInfo;
  attribute(name: string, variable?: string): Attribute | undefined;
  /** The whole variable, row-major. */
  read(name: string): Promise<NcData>;
  /** One slice along the first (record / time) dimension. */
  readRecord(name: string, index: number): Promise<NcData>;
  /** CF-decoded times of `name` (default 'time'). */
  readTimes(name?: string): Promise<Date[]>;
  close(): Promise<void>;
}

/**
 * What a format backend provides. Char data comes back as raw bytes
 * (Uint8Array) and is turned into strings here, once for both formats.
 */
export interface NetcdfBackend {
  readonly format: NetcdfFormat;
  readonly dimensions: Dimension[];
  readonly attributes: Attribute[];
  readonly variables: VariableInfo[];
  readAll(variable: VariableInfo): Promise<NumericArray | string[]>;
  /** Slice `index` along the first dimension; the caller has checked the range. */
  readSlice(variable: VariableInfo, index: number): Promise<NumericArray | string[]>;
  close(): Promise<void>;
}

const HDF5_SIGNATURE = Buffer.from([0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a]);

export async function openNetcdf(path: string): Promise<NetcdfFile> {
  const handle = await open(path, 'r');
  let backend: NetcdfBackend;
  try {
    const magic = Buffer.alloc(8);
    const { bytesRead } = await handle.read(magic, 0, 8, 0);
    const format = formatFromMagic(path, magic.subarray(0, bytesRead));
    if (format === 'netcdf4') {
      await handle.close();
      backend = await openHdf5Backend(path);
    } else {
      backend = await openClassicBackend(path, handle, format);
    }
  } catch (error) {
    await handle.close().catch(() => undefined);
    throw error;
  }
  return new OpenNetcdfFile(path, backend);
}

function formatFromMagic(path: string, magic: Buffer): NetcdfFormat {
  if (magic.subarray(0, 3).toString('latin1') === 'CDF') {
    if (magic[3] === 1) return 'classic';
    if (magic[3] === 2) return '64bit-offset';
    if (magic[3] === 5) throw new NetcdfFormatError(path, 'CDF-5 (64-bit data) NetCDF files are not supported');
  }
  if (magic.equals(HDF5_SIGNATURE)) return 'netcdf4';
  if (magic.length === 0) throw new NetcdfFormatError(path, 'not a NetCDF file: the file is empty');
  throw new NetcdfFormatError(
    path,
    `not a NetCDF file: expected "CDF\\x01", "CDF\\x02" or the HDF5 signature, found bytes ${describeBytes(magic)}`,
  );
}

function describeBytes(bytes: Buffer): string {
  const hex = [...bytes].map((b) => b.toString(16).padStart(2, '0')).join(' ');
  const text = [...bytes].map((b) => (b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : '.')).join('');
  return `${hex} ("${text}")`;
}

class OpenNetcdfFile implements NetcdfFile {
  readonly format: NetcdfFormat;
  readonly dimensions: Dimension[];
  readonly attributes: Attribute[];
  readonly variables: VariableInfo[];
  readonly recordCount: number;
  private readonly byName: Map<string, VariableInfo>;

  constructor(
    readonly path: string,
    private readonly backend: NetcdfBackend,
  ) {
    this.format = backend.format;
    this.dimensions = backend.dimensions;
    this.attributes = backend.attributes;
    this.variables = backend.variables;
    this.recordCount = backend.dimensions.find((d) => d.unlimited)?.size ?? 0;
    this.byName = new Map(backend.variables.map((v) => [v.name, v]));
  }

  hasVariable(name: string): boolean {
    return this.byName.has(name);
  }

  variable(name: string): VariableInfo {
    const found = this.byName.get(name);
    if (!found) {
      const known = this.variables.map((v) => v.name).join(', ') || 'none';
      throw new Error(`${this.path}: no variable '${name}' in this file (variables: ${known})`);
    }
    return found;
  }

  attribute(name: string, variable?: string): Attribute | undefined {
    const attributes = variable === undefined ? this.attributes : this.variable(variable).attributes;
    return attributes.find((a) => a.name === name);
  }

  async read(name: string): Promise<NcData> {
    const variable = this.variable(name);
    return asNcData(variable, variable.shape, await this.backend.readAll(variable));
  }

  async readRecord(name: string, index: number): Promise<NcData> {
    const variable = this.variable(name);
    if (variable.shape.length === 0) {
      throw new Error(`${this.path}: variable '${name}' is a scalar and has no records`);
    }
    const count = variable.shape[0];
    if (!Number.isInteger(index) || index < 0 || index >= count) {
      throw new RangeError(
        `${this.path}: record index ${index} out of range for variable '${name}' (${count} records along '${variable.dimensions[0]}')`,
      );
    }
    return asNcData(variable, variable.shape.slice(1), await this.backend.readSlice(variable, index));
  }

  async readTimes(name = 'time'): Promise<Date[]> {
    const units = this.attribute('units', name);
    if (typeof units?.value !== 'string') {
      throw new Error(`${this.path}: variable '${name}' has no text 'units' attribute, so its times cannot be decoded`);
    }
    const calendar = this.attribute('calendar', name)?.value;
    const values = await this.read(name);
    if (Array.isArray(values)) throw new Error(`${this.path}: variable '${name}' holds text, not CF time values`);
    try {
      return decodeCfTimes(units.value, Array.from(values, Number), typeof calendar === 'string' ? calendar : undefined);
    } catch (error) {
      throw new Error(`${this.path}: variable '${name}': ${(error as Error).message}`, { cause: error });
    }
  }

  close(): Promise<void> {
    return this.backend.close();
  }
}

const utf8 = new TextDecoder('utf-8');

/** Char bytes become one string per row of the last dimension, NUL padding removed. */
function asNcData(variable: VariableInfo, shape: number[], data: NumericArray | string[]): NcData {
  if (variable.type !== 'char' || Array.isArray(data)) return data;
  const bytes = data as Uint8Array;
  const rowLength = shape.length === 0 ? 1 : shape[shape.length - 1];
  const rows = shape.slice(0, -1).reduce((n, s) => n * s, 1);
  return Array.from({ length: rows }, (_, row) => {
    let end = (row + 1) * rowLength;
    while (end > row * rowLength && bytes[end - 1] === 0) end--;
    return utf8.decode(bytes.subarray(row * rowLength, end));
  });
}
