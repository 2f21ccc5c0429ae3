/**
 * Classic (CDF-1) and 64-bit offset (CDF-2) files. netcdfjs parses the header
 * only, from a prefix of the file; data is read with positioned reads so that
 * a 1 GB output file never has to fit in memory.
 */
import type { FileHandle } from 'node:fs/promises';

import { NetCDFReader } from 'netcdfjs';
import type { Header } from 'netcdfjs';

import type { NetcdfBackend, VariableInfo } from './reader.js';
import { NetcdfFormatError } from './types.js';
import type { Attribute, ClassicType, Dimension, NcType, NetcdfFormat, NumericArray } from './types.js';

const INITIAL_HEADER_BYTES = 64 * 1024;
/** Real headers are a few kB; beyond this a "header" is corrupt length fields, not data. */
const MAX_HEADER_BYTES = 64 * 1024 * 1024;
/** fs reads are limited to 2 GiB per call. */
const MAX_READ_BYTES = 1024 * 1024 * 1024;

const TYPE_BYTES: Readonly<Record<ClassicType, number>> = { byte: 1, char: 1, short: 2, int: 4, float: 4, double: 8 };

/** Where a variable's bytes live, from the header. */
interface Layout {
  /** Offset of the variable's data, or of its part of the first record. */
  begin: number;
  /** Bytes of one slice along the first dimension (a record for record variables). */
  sliceBytes: number;
  /** Distance between consecutive slices: the record size for record variables. */
  sliceStride: number;
  sliceCount: number;
}

export async function openClassicBackend(
  path: string,
  handle: FileHandle,
  format: Exclude<NetcdfFormat, 'netcdf4'>,
): Promise<NetcdfBackend> {
  const { size: fileSize } = await handle.stat();
  const header = await readHeader(path, handle, fileSize);
  // netcdfjs leaves out the lists a file does not have.
  header.dimensions ??= [];
  header.variables ??= [];
  const dimensions: Dimension[] = header.dimensions.map((d, id) => ({
    name: fromLatin1(d.name),
    size: id === header.recordDimension.id ? header.recordDimension.length : d.size,
    unlimited: id === header.recordDimension.id,
  }));
  const variables = header.variables.map((v) => toVariableInfo(path, v, dimensions));
  const recordBytes = recordSize(variables);
  const layouts = new Map(
    header.variables.map((v, i) => [variables[i], layoutOf(variables[i], v.offset, recordBytes)] as const),
  );
  for (const [variable, layout] of layouts) checkWithinFile(path, variable, layout, fileSize);

  return {
    format,
    dimensions,
    attributes: header.globalAttributes.map(toAttribute),
    variables,
    async readAll(variable) {
      const layout = layouts.get(variable)!;
      return readSlices(`${path}: variable '${variable.name}'`, handle, variable.type, layout, 0, layout.sliceCount);
    },
    async readSlice(variable, index) {
      return readSlices(`${path}: variable '${variable.name}'`, handle, variable.type, layouts.get(variable)!, index, 1);
    },
    close: () => handle.close(),
  };
}

/** Parses the header from a prefix of the file, growing the prefix while netcdfjs runs past its end. */
async function readHeader(path: string, handle: FileHandle, fileSize: number): Promise<Header> {
  for (let prefixBytes = Math.min(INITIAL_HEADER_BYTES, fileSize); ; prefixBytes = Math.min(prefixBytes * 2, fileSize)) {
    const prefix = Buffer.alloc(prefixBytes);
    await readFully(path, handle, prefix, 0);
    try {
      return new NetCDFReader(prefix).header;
    } catch (error) {
      if (!(error instanceof RangeError)) {
        throw new NetcdfFormatError(path, `invalid NetCDF header: ${(error as Error).message}`);
      }
      if (prefixBytes >= fileSize) {
        throw new NetcdfFormatError(path, `header cut short: the file ends at byte ${fileSize} inside the header`);
      }
      if (prefixBytes >= MAX_HEADER_BYTES) {
        throw new NetcdfFormatError(path, `invalid NetCDF header: longer than ${MAX_HEADER_BYTES} bytes`);
      }
    }
  }
}

/** netcdfjs reads text byte by byte as signed chars; recover the bytes and decode them as UTF-8. */
function fromLatin1(text: string): string {
  return Buffer.from(Array.from(text, (c) => c.charCodeAt(0) & 0xff)).toString('utf8');
}

function toAttribute(attribute: Header['globalAttributes'][number]): Attribute {
  const type = attribute.type as ClassicType;
  const name = fromLatin1(attribute.name);
  if (typeof attribute.value === 'string') return { name, type, value: fromLatin1(attribute.value).replace(/\0+$/, '') };
  const values = Array.isArray(attribute.value) ? attribute.value : [attribute.value];
  // netcdfjs hands bytes back unsigned; NC_BYTE is signed.
  return { name, type, value: type === 'byte' ? values.map((b) => (b << 24) >> 24) : values };
}

function toVariableInfo(path: string, v: Header['variables'][number], dimensions: Dimension[]): VariableInfo {
  if (!(v.type in TYPE_BYTES)) throw new NetcdfFormatError(path, `variable '${v.name}' has an invalid type`);
  const dims = v.dimensions.map((id) => {
    const dim = dimensions[id];
    if (!dim) throw new NetcdfFormatError(path, `variable '${v.name}' refers to dimension id ${id}, which does not exist`);
    return dim;
  });
  return {
    name: fromLatin1(v.name),
    type: v.type as ClassicType,
    dimensions: dims.map((d) => d.name),
    shape: dims.map((d) => d.size),
    attributes: (v.attributes as Header['globalAttributes']).map(toAttribute),
    record: v.record,
  };
}

function elementCount(shape: number[]): number {
  return shape.reduce((n, s) => n * s, 1);
}

function dataBytes(variable: VariableInfo, shape: number[]): number {
  return elementCount(shape) * TYPE_BYTES[variable.type as ClassicType];
}

/**
 * Bytes per record: each record variable's slice padded to 4 bytes, except
 * that a lone record variable is not padded (NetCDF classic format spec).
 * Computed from the shapes, because the header's vsize saturates for huge variables.
 */
function recordSize(variables: VariableInfo[]): number {
  const recordVariables = variables.filter((v) => v.record);
  if (recordVariables.length === 1) return dataBytes(recordVariables[0], recordVariables[0].shape.slice(1));
  return recordVariables.reduce((sum, v) => sum + roundUp4(dataBytes(v, v.shape.slice(1))), 0);
}

function roundUp4(n: number): number {
  return Math.ceil(n / 4) * 4;
}

function layoutOf(variable: VariableInfo, begin: number, recordBytes: number): Layout {
  const sliceBytes = dataBytes(variable, variable.shape.slice(1));
  return {
    begin,
    sliceBytes,
    sliceStride: variable.record ? recordBytes : sliceBytes,
    sliceCount: variable.shape[0] ?? 1,
  };
}

/** Checked at open, so that a truncated file never yields data. */
function checkWithinFile(path: string, variable: VariableInfo, layout: Layout, fileSize: number): void {
  if (layout.sliceCount === 0 || layout.sliceBytes === 0) return;
  const end = layout.begin + (layout.sliceCount - 1) * layout.sliceStride + layout.sliceBytes;
  if (end <= fileSize) return;
  const what = variable.record
    ? `${layout.sliceCount} records of variable '${variable.name}' (${layout.sliceBytes} bytes each, every ${layout.sliceStride} bytes from offset ${layout.begin})`
    : `data of variable '${variable.name}' (${layout.sliceBytes * layout.sliceCount} bytes at offset ${layout.begin})`;
  throw new NetcdfFormatError(path, `file cut short: ${what} would end at byte ${end}, but the file has only ${fileSize} bytes`);
}

async function readSlices(
  what: string,
  handle: FileHandle,
  type: NcType,
  layout: Layout,
  first: number,
  count: number,
): Promise<NumericArray> {
  const { sliceBytes, sliceStride } = layout;
  const bytes = new Uint8Array(new ArrayBuffer(sliceBytes * count));
  if (sliceStride === sliceBytes) {
    await readFully(what, handle, bytes, layout.begin + first * sliceBytes);
  } else {
    for (let i = 0; i < count; i++) {
      const position = layout.begin + (first + i) * sliceStride;
      await readFully(what, handle, bytes.subarray(i * sliceBytes, (i + 1) * sliceBytes), position);
    }
  }
  return fromBigEndian(type as ClassicType, bytes);
}

/** Reads exactly `target.length` bytes at `position`; a short file here means it shrank after open. */
async function readFully(what: string, handle: FileHandle, target: Uint8Array, position: number): Promise<void> {
  for (let done = 0; done < target.length; ) {
    const length = Math.min(target.length - done, MAX_READ_BYTES);
    const { bytesRead } = await handle.read(target, done, length, position + done);
    if (bytesRead === 0) throw new Error(`${what}: unexpected end of file at byte ${position + done}`);
    done += bytesRead;
  }
}

/** Swaps in place (bytes owns its whole ArrayBuffer, so views are aligned) and views the result. */
function fromBigEndian(type: ClassicType, bytes: Uint8Array): NumericArray {
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  switch (type) {
    case 'byte':
      return new Int8Array(bytes.buffer);
    case 'char':
      return bytes;
    case 'short':
      buffer.swap16();
      return new Int16Array(bytes.buffer);
    case 'int':
      buffer.swap32();
      return new Int32Array(bytes.buffer);
    case 'float':
      buffer.swap32();
      return new Float32Array(bytes.buffer);
    case 'double':
      buffer.swap64();
      return new Float64Array(bytes.buffer);
  }
}
