/**
 * Layout and header encoding of NetCDF classic (CDF-1) and 64-bit offset
 * (CDF-2) files, following "The NetCDF Classic Format Specification"
 * (netcdf-c docs, file_format_specifications). Everything here is computed
 * from the schema before a single byte is written, so a schema that would give
 * an invalid file is rejected without leaving anything on disk.
 */
import {
  DEFAULT_FILL,
  NetcdfFormatError,
  type Attribute,
  type ClassicType,
} from './types.js';
import type { NetcdfSchema, VariableSpec } from './writer.js';

export const TYPE_CODE: Readonly<Record<ClassicType, number>> = {
  byte: 1,
  char: 2,
  short: 3,
  int: 4,
  float: 5,
  double: 6,
};

export const TYPE_SIZE: Readonly<Record<ClassicType, number>> = {
  byte: 1,
  char: 1,
  short: 2,
  int: 4,
  float: 4,
  double: 8,
};

/** Inclusive value ranges of the integer types; char values are raw bytes. */
export const INTEGER_RANGE: Readonly<Partial<Record<ClassicType, readonly [number, number]>>> = {
  byte: [-128, 127],
  char: [0, 255],
  short: [-32768, 32767],
  int: [-2147483648, 2147483647],
};

const NC_DIMENSION = 0x0a;
const NC_VARIABLE = 0x0b;
const NC_ATTRIBUTE = 0x0c;
const NC_MAX_NAME = 256;
const INT_MAX = 2 ** 31 - 1;
const UINT_MAX = 2 ** 32 - 1;
/** vsize is a 32-bit field: a variable too large for it records this instead (spec, "Note on vsize"). */
const VSIZE_TOO_LARGE = UINT_MAX;
/** numrecs is a 32-bit field and 0xFFFFFFFF means "streaming", so this is the last storable count. */
export const MAX_RECORDS = UINT_MAX - 1;
/** Byte offset of numrecs, right after the magic. */
export const NUMRECS_OFFSET = 4;

export interface VariableLayout {
  name: string;
  type: ClassicType;
  isRecord: boolean;
  /** Lengths of the variable's dimensions, the unlimited one left out. */
  shape: number[];
  /** Values in the whole variable (fixed) or in one record of it (record variable). */
  count: number;
  /** Space taken in the file (per record for a record variable); count × size rounded up to 4 except for a lone record variable. */
  slotBytes: number;
  /** Offset of the data (of record 0 for a record variable). */
  begin: number;
  fill: number;
}

export interface ClassicLayout {
  header: Uint8Array;
  variables: VariableLayout[];
  recordVariables: VariableLayout[];
  /** Bytes from one record to the next. */
  recordBytes: number;
  /** Offset of record 0, i.e. the end of the fixed-size data. */
  beginRecords: number;
}

function roundUp4(n: number): number {
  return Math.ceil(n / 4) * 4;
}

/** Validates the schema against the classic data model and lays the file out. */
export function planClassicFile(path: string, schema: NetcdfSchema): ClassicLayout {
  const fail = (detail: string): never => {
    throw new NetcdfFormatError(path, detail);
  };
  if (schema.format !== 'classic' && schema.format !== '64bit-offset') {
    fail(`format must be 'classic' or '64bit-offset', got ${JSON.stringify(schema.format)}`);
  }
  const version = schema.format === 'classic' ? 1 : 2;
  const maxDimension = version === 1 ? INT_MAX - 3 : UINT_MAX - 3;

  const dimensionIds = new Map<string, number>();
  let unlimitedId = -1;
  schema.dimensions.forEach((dimension, id) => {
    const name = checkName(fail, dimension.name, 'dimension');
    if (dimensionIds.has(name)) fail(`dimension "${name}" is defined twice`);
    dimensionIds.set(name, id);
    if (dimension.size === 'unlimited') {
      if (unlimitedId >= 0) {
        fail(
          `dimensions "${schema.dimensions[unlimitedId].name}" and "${name}" are both unlimited; the classic format allows one unlimited dimension`,
        );
      }
      unlimitedId = id;
    } else if (!Number.isInteger(dimension.size) || dimension.size < 1 || dimension.size > maxDimension) {
      fail(
        `dimension "${name}" has size ${dimension.size}; it must be an integer from 1 to ${maxDimension} (or 'unlimited')` +
          (version === 1 && dimension.size > maxDimension ? '; use format 64bit-offset for larger dimensions' : ''),
      );
    }
  });
  checkAttributes(fail, schema.attributes ?? [], 'global attribute');

  const variableNames = new Set<string>();
  const variables = schema.variables.map((spec) => {
    const name = checkName(fail, spec.name, 'variable');
    if (variableNames.has(name)) fail(`variable "${name}" is defined twice`);
    variableNames.add(name);
    return describeVariable(fail, spec, name, dimensionIds, schema.dimensions, unlimitedId);
  });

  const ids = schema.variables.map((spec) => spec.dimensions.map((d) => dimensionIds.get(d.normalize('NFC'))!));
  const encode = (layouts: VariableLayout[]): Uint8Array =>
    encodeHeader(version, schema, ids, layouts);
  // The header's length does not depend on the begin values, only on their width.
  const headerBytes = encode(variables).byteLength;
  const recordBytes = assignOffsets(fail, version, variables, headerBytes);
  const recordVariables = variables.filter((v) => v.isRecord);
  const beginRecords = recordVariables.length > 0 ? recordVariables[0].begin : endOfFixedData(variables, headerBytes);
  return { header: encode(variables), variables, recordVariables, recordBytes, beginRecords };
}

type Fail = (detail: string) => never;

function describeVariable(
  fail: Fail,
  spec: VariableSpec,
  name: string,
  dimensionIds: Map<string, number>,
  dimensions: NetcdfSchema['dimensions'],
  unlimitedId: number,
): VariableLayout {
  if (!(spec.type in TYPE_CODE)) {
    fail(`variable "${name}" has type ${JSON.stringify(spec.type)}, which is not a classic type (${Object.keys(TYPE_CODE).join(', ')})`);
  }
  const shape: number[] = [];
  let isRecord = false;
  spec.dimensions.forEach((dimensionName, index) => {
    const id = dimensionIds.get(dimensionName.normalize('NFC'));
    if (id === undefined) fail(`variable "${name}" uses unknown dimension "${dimensionName}"`);
    if (id === unlimitedId) {
      if (index !== 0) {
        fail(`variable "${name}": the unlimited dimension "${dimensionName}" must be its first dimension, not number ${index + 1}`);
      }
      isRecord = true;
    } else {
      shape.push(dimensions[id as number].size as number);
    }
  });
  const attributes = spec.attributes ?? [];
  checkAttributes(fail, attributes, `attribute of variable "${name}":`);
  return {
    name,
    type: spec.type,
    isRecord,
    shape,
    count: 0,
    slotBytes: 0,
    begin: 0,
    fill: fillValue(fail, name, spec.type, attributes),
  };
}

function fillValue(fail: Fail, variable: string, type: ClassicType, attributes: Attribute[]): number {
  const attribute = attributes.find((a) => a.name === '_FillValue');
  if (!attribute) return DEFAULT_FILL[type];
  if (attribute.type !== type) {
    fail(`variable "${variable}" has type ${type} but its _FillValue attribute has type ${attribute.type}; they must match`);
  }
  if (type === 'char') {
    const bytes = new TextEncoder().encode(attribute.value as string);
    if (bytes.byteLength !== 1) fail(`_FillValue of char variable "${variable}" must be one byte, got ${bytes.byteLength}`);
    return bytes[0];
  }
  const values = attribute.value as number[];
  if (values.length !== 1) fail(`_FillValue of variable "${variable}" must have one value, got ${values.length}`);
  return values[0];
}

/**
 * Fills in count, slotBytes and begin, checks the classic size limits
 * (NC_check_vlens in netcdf-c) and returns the record size.
 */
function assignOffsets(fail: Fail, version: 1 | 2, variables: VariableLayout[], headerBytes: number): number {
  const maxOffset = version === 1 ? INT_MAX : Number.MAX_SAFE_INTEGER;
  const maxVariableBytes = version === 1 ? INT_MAX - 3 : UINT_MAX - 3;
  const fixed = variables.filter((v) => !v.isRecord);
  const records = variables.filter((v) => v.isRecord);
  let offset = headerBytes;
  const place = (v: VariableLayout, tooLargeAllowed: boolean): void => {
    if (offset > maxOffset) {
      fail(
        version === 1
          ? `variable "${v.name}" would begin at byte ${offset}, past the classic format's limit of 2^31-1; use format 64bit-offset`
          : `variable "${v.name}" would begin at byte ${offset}, past the largest safe offset`,
      );
    }
    const bytes = v.count * TYPE_SIZE[v.type];
    if (bytes > maxVariableBytes && !tooLargeAllowed) {
      const kind = v.isRecord ? 'one record of record variable' : 'fixed-size variable';
      const rule = v.isRecord ? 'only the last record variable' : 'only the last fixed-size variable of a file without record variables';
      fail(
        `${kind} "${v.name}" needs ${bytes} bytes, more than the ${version === 1 ? 'classic' : '64-bit offset'} format's ${maxVariableBytes} (${rule} may be larger)` +
          (version === 1 ? '; use format 64bit-offset' : ''),
      );
    }
    v.begin = offset;
  };
  for (const v of variables) v.count = v.shape.reduce((n, length) => n * length, 1);
  fixed.forEach((v, i) => {
    place(v, i === fixed.length - 1 && records.length === 0);
    v.slotBytes = roundUp4(v.count * TYPE_SIZE[v.type]);
    offset += v.slotBytes;
  });
  records.forEach((v, i) => {
    place(v, i === records.length - 1);
    // A lone record variable is stored unpadded, so records of e.g. a short(time) variable sit 2 bytes apart.
    v.slotBytes = records.length === 1 ? v.count * TYPE_SIZE[v.type] : roundUp4(v.count * TYPE_SIZE[v.type]);
    offset += v.slotBytes;
  });
  return records.reduce((sum, v) => sum + v.slotBytes, 0);
}

function endOfFixedData(variables: VariableLayout[], headerBytes: number): number {
  const last = variables.at(-1);
  return last ? last.begin + last.slotBytes : headerBytes;
}

/** The vsize field: always padded to 4 (even for a lone record variable), or the "too large" marker. */
function vsize(v: VariableLayout): number {
  const padded = roundUp4(v.count * TYPE_SIZE[v.type]);
  return padded > UINT_MAX - 3 ? VSIZE_TOO_LARGE : padded;
}

/**
 * Names: first character alphanumeric, '_' or multibyte UTF-8; then anything
 * but control characters, DEL and '/'; no trailing space; stored NFC-normalised
 * (spec, "Note on names"; NC_check_name in netcdf-c).
 */
function checkName(fail: Fail, name: unknown, what: string): string {
  if (typeof name !== 'string' || name.length === 0) fail(`${what} name ${JSON.stringify(name)} is empty or not a string`);
  const normalized = (name as string).normalize('NFC');
  const problem = nameProblem(normalized);
  if (problem) fail(`${what} name ${JSON.stringify(name)} is not a valid NetCDF name: ${problem}`);
  return normalized;
}

function nameProblem(name: string): string | undefined {
  if (!/^[A-Za-z0-9_\u0080-\u{10FFFF}]/u.test(name)) return 'it must start with a letter, digit, underscore or non-ASCII character';
  // eslint-disable-next-line no-control-regex
  if (/[\x00-\x1f\x7f/]/.test(name)) return "it contains a control character or '/'";
  if (/\s$/.test(name)) return 'it ends with white space';
  if (new TextEncoder().encode(name).byteLength > NC_MAX_NAME) return `it is longer than ${NC_MAX_NAME} bytes`;
  if (/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/.test(name)) return 'it contains a lone surrogate';
  return undefined;
}

function checkAttributes(fail: Fail, attributes: Attribute[], what: string): void {
  const names = new Set<string>();
  for (const attribute of attributes) {
    const name = checkName(fail, attribute.name, what);
    const label = `${what} "${name}"`;
    if (names.has(name)) fail(`${label} is defined twice`);
    names.add(name);
    if (!(attribute.type in TYPE_CODE)) {
      fail(`${label} has type ${attribute.type}, which is not a classic type (${Object.keys(TYPE_CODE).join(', ')})`);
    }
    if (attribute.type === 'char') {
      if (typeof attribute.value !== 'string') fail(`${label} has type char, so its value must be a string`);
      continue;
    }
    if (!Array.isArray(attribute.value)) fail(`${label} has type ${attribute.type}, so its value must be an array of numbers`);
    const range = INTEGER_RANGE[attribute.type as ClassicType];
    (attribute.value as number[]).forEach((value, index) => {
      if (typeof value !== 'number') fail(`${label}: value ${index} is not a number`);
      if (range && !(Number.isInteger(value) && value >= range[0] && value <= range[1])) {
        fail(`${label}: value ${value} at index ${index} is not an integer in the ${attribute.type} range ${range[0]}..${range[1]}`);
      }
    });
  }
}

/** Big-endian header writer that grows as needed; headers are small. */
class HeaderBuffer {
  private bytes = new Uint8Array(1024);
  private view = new DataView(this.bytes.buffer);
  length = 0;

  private reserve(n: number): number {
    if (this.length + n > this.bytes.byteLength) {
      const grown = new Uint8Array(Math.max(this.bytes.byteLength * 2, this.length + n));
      grown.set(this.bytes);
      this.bytes = grown;
      this.view = new DataView(grown.buffer);
    }
    const at = this.length;
    this.length += n;
    return at;
  }

  uint32(n: number): void {
    const at = this.reserve(4); // before reading this.view, which reserve may replace
    this.view.setUint32(at, n);
  }

  uint64(n: number): void {
    const at = this.reserve(8);
    this.view.setBigUint64(at, BigInt(n));
  }

  /** Raw bytes followed by NUL padding to the next 4-byte boundary. */
  padded(bytes: Uint8Array): void {
    const at = this.reserve(roundUp4(bytes.byteLength));
    this.bytes.set(bytes, at);
  }

  name(name: string): void {
    const bytes = new TextEncoder().encode(name.normalize('NFC'));
    this.uint32(bytes.byteLength);
    this.padded(bytes);
  }

  result(): Uint8Array {
    return this.bytes.slice(0, this.length);
  }
}

function encodeHeader(version: 1 | 2, schema: NetcdfSchema, dimensionIds: number[][], variables: VariableLayout[]): Uint8Array {
  const out = new HeaderBuffer();
  out.padded(new Uint8Array([0x43, 0x44, 0x46, version])); // "CDF" + version
  out.uint32(0); // numrecs, written by close
  listTag(out, NC_DIMENSION, schema.dimensions.length);
  for (const dimension of schema.dimensions) {
    out.name(dimension.name);
    out.uint32(dimension.size === 'unlimited' ? 0 : dimension.size);
  }
  encodeAttributes(out, schema.attributes ?? []);
  listTag(out, NC_VARIABLE, schema.variables.length);
  schema.variables.forEach((spec, i) => {
    const layout = variables[i];
    out.name(spec.name);
    out.uint32(dimensionIds[i].length);
    for (const id of dimensionIds[i]) out.uint32(id);
    encodeAttributes(out, spec.attributes ?? []);
    out.uint32(TYPE_CODE[spec.type]);
    out.uint32(vsize(layout));
    if (version === 1) out.uint32(layout.begin);
    else out.uint64(layout.begin);
  });
  return out.result();
}

/** An empty list is written as ABSENT: two zero words. */
function listTag(out: HeaderBuffer, tag: number, count: number): void {
  out.uint32(count === 0 ? 0 : tag);
  out.uint32(count);
}

function encodeAttributes(out: HeaderBuffer, attributes: Attribute[]): void {
  listTag(out, NC_ATTRIBUTE, attributes.length);
  for (const attribute of attributes) {
    const type = attribute.type as ClassicType;
    out.name(attribute.name);
    out.uint32(TYPE_CODE[type]);
    if (type === 'char') {
      const text = new TextEncoder().encode(attribute.value as string);
      out.uint32(text.byteLength);
      out.padded(text);
      continue;
    }
    const values = attribute.value as number[];
    const bytes = new Uint8Array(values.length * TYPE_SIZE[type]);
    encodeNumbers(new DataView(bytes.buffer), type, values);
    out.uint32(values.length);
    out.padded(bytes);
  }
}

function encodeNumbers(view: DataView, type: ClassicType, values: number[]): void {
  const size = TYPE_SIZE[type];
  values.forEach((value, i) => setValue(view, type, i * size, value));
}

/** One big-endian value; callers have range-checked integers. */
export function setValue(view: DataView, type: ClassicType, at: number, value: number): void {
  switch (type) {
    case 'byte':
      return view.setInt8(at, value);
    case 'char':
      return view.setUint8(at, value);
    case 'short':
      return view.setInt16(at, value);
    case 'int':
      return view.setInt32(at, value);
    case 'float':
      return view.setFloat32(at, value);
    case 'double':
      return view.setFloat64(at, value);
  }
}
