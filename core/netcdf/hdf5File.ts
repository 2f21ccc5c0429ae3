/**
 * NetCDF-4 files (HDF5 underneath) through h5wasm, root group only. NetCDF-4
 * keeps its dimensions as HDF5 dimension scales and its bookkeeping in
 * reserved attributes; both are translated back into the netCDF data model here.
 */
import { resolve } from 'node:path';

import type { Dataset, File as H5File, Metadata } from 'h5wasm/node';

import type { NetcdfBackend, VariableInfo } from './reader.js';
import { NetcdfFormatError } from './types.js';
import type { Attribute, Dimension, NcType, NumericArray } from './types.js';

/** Attributes the netCDF-4 library uses for its own bookkeeping; netCDF users never see them. */
const RESERVED_ATTRIBUTES = new Set([
  '_Netcdf4Dimid',
  '_Netcdf4Coordinates',
  '_NCProperties',
  '_IsNetcdf4',
  '_SuperblockVersion',
  '_nc3_strict',
  'DIMENSION_LIST',
  'REFERENCE_LIST',
  'CLASS',
  'NAME',
]);

/** The NAME attribute netCDF-4 gives a dimension scale that has no variable behind it. */
const DIMENSION_ONLY_NAME = 'This is a netCDF dimension but not a netCDF variable';

const H5T_INTEGER = 0;
const H5T_FLOAT = 1;
const H5T_STRING = 3;

/** H5S_UNLIMITED (2^64 - 1) as h5wasm reports it in maxshape, a double. */
const UNLIMITED_MIN = 2 ** 63;

interface DimensionScale {
  dimension: Dimension;
  id: number;
}

export async function openHdf5Backend(path: string): Promise<NetcdfBackend> {
  // Loaded on first use: readers of classic files never pay for the HDF5 wasm module.
  const { default: h5wasm } = await import('h5wasm/node');
  const module = await h5wasm.ready;
  // Without this HDF5 prints its error stack to stderr and hands back an invalid file id.
  module.activate_throwing_error_handler();
  let file: H5File;
  try {
    // The node build reaches the host filesystem directly (NODERAWFS), by absolute path.
    file = new h5wasm.File(resolve(path), 'r');
  } catch (error) {
    throw new NetcdfFormatError(path, `cannot open as NetCDF-4/HDF5: ${innermostHdf5Error(error)}`);
  }
  try {
    return describe(path, file, h5wasm.Dataset);
  } catch (error) {
    file.close();
    throw error;
  }
}

/** HDF5's error stack runs from the API call down to the cause; the last entry says what is wrong. */
function innermostHdf5Error(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const causes = [...message.matchAll(/ in \w+\(\): (.+)$/gm)];
  return causes.at(-1)?.[1] ?? message;
}

function describe(path: string, file: H5File, DatasetClass: typeof Dataset): NetcdfBackend {
  const datasets = file
    .keys()
    .map((key) => [key, file.get(key)] as const)
    .filter((entry): entry is readonly [string, Dataset] => entry[1] instanceof DatasetClass);

  const scales = new Map<string, DimensionScale>();
  datasets.forEach(([name, dataset], order) => {
    if (dataset.attrs.CLASS?.value !== 'DIMENSION_SCALE') return;
    const dimid = dataset.attrs._Netcdf4Dimid?.value;
    scales.set(name, {
      id: dimid === undefined || dimid === null ? order : Number(dimid),
      dimension: { name, size: dataset.shape?.[0] ?? 0, unlimited: (dataset.metadata.maxshape?.[0] ?? 0) >= UNLIMITED_MIN },
    });
  });
  const dimensionsById = new Map([...scales.values()].map((s) => [s.id, s.dimension]));

  const variableDatasets = new Map<VariableInfo, Dataset>();
  for (const [name, dataset] of datasets) {
    const nameAttribute = dataset.attrs.NAME?.value;
    if (typeof nameAttribute === 'string' && nameAttribute.startsWith(DIMENSION_ONLY_NAME)) continue;
    const dimensions = dimensionNames(path, name, dataset, scales.has(name), dimensionsById);
    const shape = dataset.shape ?? [];
    const first = dimensions.length > 0 ? scales.get(dimensions[0])?.dimension : undefined;
    variableDatasets.set(
      { name, type: ncType(path, `variable '${name}'`, dataset.metadata), dimensions, shape, attributes: userAttributes(path, dataset), record: first?.unlimited ?? false },
      dataset,
    );
  }
  const variables = [...variableDatasets.keys()];
  growUnlimitedDimensions(scales, variables);

  const readDataset = (variable: VariableInfo, read: (dataset: Dataset) => unknown) => {
    try {
      return read(variableDatasets.get(variable)!);
    } catch (error) {
      throw new NetcdfFormatError(path, `cannot read variable '${variable.name}': ${innermostHdf5Error(error)}`);
    }
  };

  return {
    format: 'netcdf4',
    dimensions: [...scales.values()].sort((a, b) => a.id - b.id).map((s) => s.dimension),
    attributes: userAttributes(path, file),
    variables,
    async readAll(variable) {
      return toNcValues(variable, readDataset(variable, (dataset) => dataset.value));
    },
    async readSlice(variable, index) {
      return toNcValues(variable, readDataset(variable, (dataset) => dataset.slice([[index, index + 1]])));
    },
    async close() {
      file.close();
    },
  };
}

/**
 * netCDF-4 lists a variable's dimension ids in _Netcdf4Coordinates (recent
 * libraries, or multi-dimensional coordinate variables); otherwise the
 * dimension scales attached to each axis say it, and a 1-D coordinate variable
 * is its own dimension.
 */
function dimensionNames(
  path: string,
  name: string,
  dataset: Dataset,
  isScale: boolean,
  dimensionsById: Map<number, Dimension>,
): string[] {
  const rank = dataset.shape?.length ?? 0;
  const coordinates = dataset.attrs._Netcdf4Coordinates?.value;
  if (ArrayBuffer.isView(coordinates) && coordinates.length === rank) {
    return Array.from(coordinates as ArrayLike<number>, (id) => {
      const dimension = dimensionsById.get(Number(id));
      if (!dimension) throw new NetcdfFormatError(path, `variable '${name}' refers to dimension id ${id}, which does not exist`);
      return dimension.name;
    });
  }
  if (isScale && rank === 1) return [name];
  return Array.from({ length: rank }, (_, axis) => {
    const scale = dataset.get_attached_scales(axis)[0];
    if (!scale) throw new NetcdfFormatError(path, `variable '${name}' has no dimension scale on axis ${axis} (not a netCDF-4 file?)`);
    return scale.replace(/^\//, '');
  });
}

/** An unlimited dimension's scale may lag behind its variables; its length is the longest of them. */
function growUnlimitedDimensions(scales: Map<string, DimensionScale>, variables: VariableInfo[]): void {
  for (const variable of variables) {
    variable.dimensions.forEach((name, axis) => {
      const dimension = scales.get(name)?.dimension;
      if (dimension?.unlimited) dimension.size = Math.max(dimension.size, variable.shape[axis]);
    });
  }
}

function ncType(path: string, what: string, metadata: Metadata): NcType {
  const { type, size, signed, vlen } = metadata;
  if (type === H5T_FLOAT && (size === 4 || size === 8)) return size === 4 ? 'float' : 'double';
  if (type === H5T_INTEGER) {
    const integer = ({ 1: ['ubyte', 'byte'], 2: ['ushort', 'short'], 4: ['uint', 'int'], 8: ['uint64', 'int64'] } as const)[size as 1 | 2 | 4 | 8];
    if (integer) return integer[signed ? 1 : 0];
  }
  if (type === H5T_STRING) return vlen ? 'string' : 'char';
  throw new NetcdfFormatError(path, `${what} has an HDF5 type (class ${type}, ${size} bytes) outside the netCDF data model`);
}

function userAttributes(path: string, owner: Dataset | H5File): Attribute[] {
  return Object.entries(owner.attrs)
    .filter(([name]) => !RESERVED_ATTRIBUTES.has(name))
    .map(([name, attribute]) => {
      const type = ncType(path, `attribute '${name}'`, attribute.metadata);
      return { name, type, value: attributeValue(type, attribute.value) };
    });
}

/** NcData has no string-array attribute value: several NC_STRING values are joined by newlines. */
function attributeValue(type: NcType, value: unknown): Attribute['value'] {
  if (type === 'char' || type === 'string') {
    return typeof value === 'string' ? value.replace(/\0+$/, '') : (value as string[]).join('\n');
  }
  if (ArrayBuffer.isView(value)) return Array.from(value as NumericArray, Number);
  return [Number(value)];
}

const TYPED_ARRAYS = {
  byte: Int8Array,
  ubyte: Uint8Array,
  char: Uint8Array,
  short: Int16Array,
  ushort: Uint16Array,
  int: Int32Array,
  uint: Uint32Array,
  float: Float32Array,
  double: Float64Array,
} as const;

/** h5wasm gives scalars as plain values and char data as one-letter strings; bring both to typed arrays. */
function toNcValues(variable: VariableInfo, value: unknown): NumericArray | string[] {
  const { type } = variable;
  if (type === 'string') return typeof value === 'string' ? [value] : (value as string[]);
  if (type === 'char') {
    const letters = typeof value === 'string' ? [value] : (value as string[]);
    return Uint8Array.from(letters, (letter) => (letter.length === 0 ? 0 : letter.charCodeAt(0) & 0xff));
  }
  if (ArrayBuffer.isView(value)) return value as NumericArray;
  if (type === 'int64') return BigInt64Array.of(BigInt(value as bigint));
  if (type === 'uint64') return BigUint64Array.of(BigInt(value as bigint));
  return TYPED_ARRAYS[type].of(Number(value));
}
