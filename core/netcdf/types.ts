/**
 * Types shared by the NetCDF writer and reader. The classic data model (CDF-1
 * classic, CDF-2 64-bit offset) is what our writer produces; NetCDF-4 files
 * (SCHISM's own output) add the unsigned, 64-bit and string types on read.
 */

/** The six types of the classic data model. */
export type ClassicType = 'byte' | 'char' | 'short' | 'int' | 'float' | 'double';

/** Every type a reader may meet; NetCDF-4 adds the unsigned, 64-bit and string types. */
export type NcType = ClassicType | 'ubyte' | 'ushort' | 'uint' | 'int64' | 'uint64' | 'string';

export type NetcdfFormat = 'classic' | '64bit-offset' | 'netcdf4';

/** Numeric attribute values are kept as plain numbers; text attributes as a string. */
export type AttributeValue = string | number[];

export interface Attribute {
  name: string;
  type: NcType;
  value: AttributeValue;
}

export interface Dimension {
  name: string;
  /** Current length; for the unlimited dimension, the number of records written. */
  size: number;
  unlimited: boolean;
}

export type NumericArray =
  | Int8Array
  | Uint8Array
  | Int16Array
  | Uint16Array
  | Int32Array
  | Uint32Array
  | Float32Array
  | Float64Array
  | BigInt64Array
  | BigUint64Array;

/**
 * Data of one variable (or one record of it), flattened in row-major order.
 * Char variables come back as strings along their last dimension (NUL padding
 * removed): a 1-D char variable is one string, a [n, len] one is n strings.
 */
export type NcData = NumericArray | string[];

/** The netCDF default fill values (netcdf.h NC_FILL_*), used when a variable has no _FillValue. */
export const DEFAULT_FILL: Readonly<Record<ClassicType, number>> = {
  byte: -127,
  char: 0,
  short: -32767,
  int: -2147483647,
  float: 9.969209968386869e36,
  double: 9.969209968386869e36,
};

/** Raised for any file that is not valid NetCDF; the message names the file and what is wrong. */
export class NetcdfFormatError extends Error {
  constructor(
    readonly path: string,
    detail: string,
  ) {
    super(`${path}: ${detail}`);
    this.name = 'NetcdfFormatError';
  }
}
