import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { openNetcdf } from '../core/netcdf/reader.js';
import type { NetcdfFile } from '../core/netcdf/reader.js';
import type { NcData } from '../core/netcdf/types.js';

/** An out2d-like file exercising every classic type, record and fixed variables, char data and fill values. */
const FORECAST_CDL = `netcdf forecast {
dimensions:
  time = UNLIMITED ;
  node = 3 ;
  nchar = 6 ;
variables:
  double time(time) ;
    time:units = "seconds since 2018-01-01  0:00:00   0:00" ;
    time:standard_name = "time" ;
    time:calendar = "proleptic_gregorian" ;
  float elevation(time, node) ;
    elevation:_FillValue = -9999.f ;
    elevation:units = "m" ;
    elevation:valid_range = -20.f, 20.f ;
  double depth(node) ;
    depth:positive = "down" ;
  int face_nodes(node) ;
    face_nodes:_FillValue = -1 ;
    face_nodes:start_index = 1 ;
  short quality(time, node) ;
    quality:flag_values = -3s, 300s ;
  byte dryFlagNode(time, node) ;
    dryFlagNode:flag_values = 0b, 1b ;
    dryFlagNode:flags = -1b, 7b ;
  char station(node, nchar) ;
  char label(time, nchar) ;

// global attributes:
  :title = "coastcast reader test" ;
  :Conventions = "CF-1.8, UGRID-1.0" ;
  :version = 2 ;
  :scales = 1.5, -2.25 ;
  :ratio = 0.5f ;
data:
  time = 0, 3600, 7200 ;
  elevation = 0.5, -1.25, _, 1, 2, 3, 4.5, 5.5, 6.5 ;
  depth = 10.5, 0, -2 ;
  face_nodes = 1, _, 2147483647 ;
  quality = -32768, 0, 32767, 1, 2, 3, -1, -2, -3 ;
  dryFlagNode = 1, 0, 1, 0, 0, 0, -128, 127, 1 ;
  station = "aveiro", "tejo", "" ;
  label = "t0", "t1", "t2" ;
}
`;

const FORECAST_DIMENSIONS = [
  { name: 'time', size: 3, unlimited: true },
  { name: 'node', size: 3, unlimited: false },
  { name: 'nchar', size: 6, unlimited: false },
];

const FORECAST_VARIABLES = {
  time: { type: 'double', dimensions: ['time'], shape: [3], record: true, data: Float64Array.of(0, 3600, 7200) },
  elevation: {
    type: 'float',
    dimensions: ['time', 'node'],
    shape: [3, 3],
    record: true,
    data: Float32Array.of(0.5, -1.25, -9999, 1, 2, 3, 4.5, 5.5, 6.5),
  },
  depth: { type: 'double', dimensions: ['node'], shape: [3], record: false, data: Float64Array.of(10.5, 0, -2) },
  face_nodes: { type: 'int', dimensions: ['node'], shape: [3], record: false, data: Int32Array.of(1, -1, 2147483647) },
  quality: {
    type: 'short',
    dimensions: ['time', 'node'],
    shape: [3, 3],
    record: true,
    data: Int16Array.of(-32768, 0, 32767, 1, 2, 3, -1, -2, -3),
  },
  dryFlagNode: {
    type: 'byte',
    dimensions: ['time', 'node'],
    shape: [3, 3],
    record: true,
    data: Int8Array.of(1, 0, 1, 0, 0, 0, -128, 127, 1),
  },
  station: { type: 'char', dimensions: ['node', 'nchar'], shape: [3, 6], record: false, data: ['aveiro', 'tejo', ''] },
  label: { type: 'char', dimensions: ['time', 'nchar'], shape: [3, 6], record: true, data: ['t0', 't1', 't2'] },
} as const;

const FORECAST_VARIABLE_ATTRIBUTES = {
  time: [
    { name: 'units', type: 'char', value: 'seconds since 2018-01-01  0:00:00   0:00' },
    { name: 'standard_name', type: 'char', value: 'time' },
    { name: 'calendar', type: 'char', value: 'proleptic_gregorian' },
  ],
  elevation: [
    { name: '_FillValue', type: 'float', value: [-9999] },
    { name: 'units', type: 'char', value: 'm' },
    { name: 'valid_range', type: 'float', value: [-20, 20] },
  ],
  depth: [{ name: 'positive', type: 'char', value: 'down' }],
  face_nodes: [
    { name: '_FillValue', type: 'int', value: [-1] },
    { name: 'start_index', type: 'int', value: [1] },
  ],
  quality: [{ name: 'flag_values', type: 'short', value: [-3, 300] }],
  dryFlagNode: [
    { name: 'flag_values', type: 'byte', value: [0, 1] },
    { name: 'flags', type: 'byte', value: [-1, 7] },
  ],
  station: [],
  label: [],
};

const FORECAST_GLOBAL_ATTRIBUTES = [
  { name: 'title', type: 'char', value: 'coastcast reader test' },
  { name: 'Conventions', type: 'char', value: 'CF-1.8, UGRID-1.0' },
  { name: 'version', type: 'int', value: [2] },
  { name: 'scales', type: 'double', value: [1.5, -2.25] },
  { name: 'ratio', type: 'float', value: [0.5] },
];

/** The types and shapes only NetCDF-4 has, an unlimited dimension without a coordinate variable, and a scalar. */
const NETCDF4_CDL = `netcdf extended {
dimensions:
  step = UNLIMITED ;
  n = 2 ;
variables:
  int64 counter(step, n) ;
    counter:_FillValue = -1LL ;
  ubyte level(n) ;
    level:valid_max = 250UB ;
  ushort code(n) ;
  uint id(n) ;
  uint64 checksum(n) ;
  string station_name(n) ;
    string station_name:aliases = "one", "two" ;
  double origin ;
    origin:long_name = "a scalar" ;

// global attributes:
  string :source = "SCHISM" ;
data:
  counter = 1, -2, 9007199254740993, 4, 5, 6 ;
  level = 0, 255 ;
  code = 0, 65534 ;
  id = 0, 4294967295 ;
  checksum = 0, 18446744073709551615 ;
  station_name = "Aveiro", "" ;
  origin = 2.5 ;
}
`;

/** A lone record variable: the classic format stores its records unpadded (6 bytes, not 8). */
const LONE_RECORD_CDL = `netcdf lone {
dimensions:
  time = UNLIMITED ;
  n = 3 ;
variables:
  short level(time, n) ;
  int fixed(n) ;
  double scalar ;
data:
  level = 1, 2, 3, 4, 5, 6, 7, 8, 9 ;
  fixed = 7, 8, 9 ;
  scalar = -0.5 ;
}
`;

/** Fixed variables only; with a long comment the header goes far beyond the reader's first 64 KiB prefix. */
const fixedOnlyCdl = (comment: string) => `netcdf fixed {
dimensions:
  n = 2 ;
variables:
  float v(n) ;
    v:comment = "${comment}" ;
data:
  v = 1.5, 2.5 ;
}
`;
const LONG_TEXT = 'x'.repeat(150_000);
const LONG_HEADER_CDL = fixedOnlyCdl(LONG_TEXT);

let dir: string;

function ncgen(name: string, kind: string, cdl: string): string {
  const cdlPath = join(dir, `${name}.cdl`);
  const ncPath = join(dir, `${name}.${kind}.nc`);
  writeFileSync(cdlPath, cdl);
  execFileSync('ncgen', ['-k', kind, '-o', ncPath, cdlPath]);
  return ncPath;
}

/** Row-major slice `index` along the first dimension of whole-variable data. */
function sliceOf(data: NcData, shape: readonly number[], index: number, type: string): NcData {
  const perSlice = type === 'char'
    ? shape.slice(1, -1).reduce((n, s) => n * s, 1)
    : shape.slice(1).reduce((n, s) => n * s, 1);
  return data.slice(index * perSlice, (index + 1) * perSlice) as NcData;
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'coastcast-reader-'));
});

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe.each([
  ['classic', 'classic'],
  ['64-bit-offset', '64bit-offset'],
  ['nc4', 'netcdf4'],
] as const)('openNetcdf on an ncgen -k %s file', (kind, format) => {
  let file: NetcdfFile;
  let path: string;

  beforeAll(async () => {
    path = ncgen('forecast', kind, FORECAST_CDL);
    file = await openNetcdf(path);
  });

  afterAll(async () => {
    await file?.close();
  });

  it('detects the format from the magic bytes', () => {
    expect(file.format).toBe(format);
    expect(file.path).toBe(path);
  });

  it('lists the dimensions with the record count', () => {
    expect(file.dimensions).toEqual(FORECAST_DIMENSIONS);
    expect(file.recordCount).toBe(3);
  });

  it('reads the global attributes', () => {
    expect(file.attributes).toEqual(FORECAST_GLOBAL_ATTRIBUTES);
    expect(file.attribute('version')).toEqual({ name: 'version', type: 'int', value: [2] });
    expect(file.attribute('absent')).toBeUndefined();
  });

  it('describes every variable with its attributes, fill values included', () => {
    expect(file.variables.map((v) => v.name)).toEqual(Object.keys(FORECAST_VARIABLES));
    for (const [name, expected] of Object.entries(FORECAST_VARIABLES)) {
      expect(file.hasVariable(name)).toBe(true);
      const { data: _data, ...info } = expected;
      expect(file.variable(name)).toEqual({ name, ...info, attributes: FORECAST_VARIABLE_ATTRIBUTES[name as keyof typeof FORECAST_VARIABLE_ATTRIBUTES] });
    }
    expect(file.attribute('_FillValue', 'elevation')?.value).toEqual([-9999]);
  });

  it('reads every variable whole, in its type, fill values unmasked', async () => {
    for (const [name, expected] of Object.entries(FORECAST_VARIABLES)) {
      expect(await file.read(name), name).toEqual(expected.data);
    }
  });

  it('reads each record as the slice of the whole variable', async () => {
    for (const [name, expected] of Object.entries(FORECAST_VARIABLES)) {
      const whole = await file.read(name);
      for (let index = 0; index < expected.shape[0]; index++) {
        expect(await file.readRecord(name, index), `${name}[${index}]`).toEqual(sliceOf(whole, expected.shape, index, expected.type));
      }
    }
    expect(await file.readRecord('elevation', 1)).toEqual(Float32Array.of(1, 2, 3));
    expect(await file.readRecord('label', 2)).toEqual(['t2']);
  });

  it('decodes the CF times', async () => {
    expect((await file.readTimes()).map((d) => d.toISOString())).toEqual([
      '2018-01-01T00:00:00.000Z',
      '2018-01-01T01:00:00.000Z',
      '2018-01-01T02:00:00.000Z',
    ]);
  });

  it('names the file and the variable when the variable is missing', async () => {
    expect(file.hasVariable('salinity')).toBe(false);
    expect(() => file.variable('salinity')).toThrow(`${path}: no variable 'salinity'`);
    expect(() => file.attribute('units', 'salinity')).toThrow(/no variable 'salinity'/);
    await expect(file.read('salinity')).rejects.toThrow(/no variable 'salinity'/);
  });

  it('rejects record indexes out of range, naming file, variable and count', async () => {
    for (const index of [-1, 3, 1.5]) {
      await expect(file.readRecord('elevation', index)).rejects.toThrow(
        `${path}: record index ${index} out of range for variable 'elevation' (3 records along 'time')`,
      );
    }
  });

  it('refuses to decode times of a variable without units', async () => {
    await expect(file.readTimes('depth')).rejects.toThrow(`${path}: variable 'depth' has no text 'units' attribute`);
  });
});

describe('NetCDF-4 specifics', () => {
  let file: NetcdfFile;

  beforeAll(async () => {
    file = await openNetcdf(ncgen('extended', 'nc4', NETCDF4_CDL));
  });

  afterAll(async () => {
    await file?.close();
  });

  it('sizes an unlimited dimension without coordinate variable from its variables, and hides the netCDF-4 internals', () => {
    expect(file.dimensions).toEqual([
      { name: 'step', size: 3, unlimited: true },
      { name: 'n', size: 2, unlimited: false },
    ]);
    expect(file.recordCount).toBe(3);
    expect(file.variables.map((v) => v.name)).toEqual(['counter', 'level', 'code', 'id', 'checksum', 'station_name', 'origin']);
    expect(file.attributes).toEqual([{ name: 'source', type: 'string', value: 'SCHISM' }]);
  });

  it('maps the NetCDF-4 types', () => {
    expect(file.variables.map((v) => v.type)).toEqual(['int64', 'ubyte', 'ushort', 'uint', 'uint64', 'string', 'double']);
    expect(file.variable('counter')).toMatchObject({ dimensions: ['step', 'n'], shape: [3, 2], record: true });
    expect(file.variable('origin')).toMatchObject({ dimensions: [], shape: [], record: false });
    expect(file.attribute('_FillValue', 'counter')).toEqual({ name: '_FillValue', type: 'int64', value: [-1] });
    expect(file.attribute('valid_max', 'level')).toEqual({ name: 'valid_max', type: 'ubyte', value: [250] });
    expect(file.attribute('aliases', 'station_name')).toEqual({ name: 'aliases', type: 'string', value: 'one\ntwo' });
  });

  it('reads the NetCDF-4 types into matching arrays', async () => {
    expect(await file.read('counter')).toEqual(BigInt64Array.of(1n, -2n, 9007199254740993n, 4n, 5n, 6n));
    expect(await file.readRecord('counter', 1)).toEqual(BigInt64Array.of(9007199254740993n, 4n));
    expect(await file.read('level')).toEqual(Uint8Array.of(0, 255));
    expect(await file.read('code')).toEqual(Uint16Array.of(0, 65534));
    expect(await file.read('id')).toEqual(Uint32Array.of(0, 4294967295));
    expect(await file.read('checksum')).toEqual(BigUint64Array.of(0n, 18446744073709551615n));
    expect(await file.read('station_name')).toEqual(['Aveiro', '']);
    expect(await file.read('origin')).toEqual(Float64Array.of(2.5));
  });

  it('refuses a record of a scalar', async () => {
    await expect(file.readRecord('origin', 0)).rejects.toThrow(/variable 'origin' is a scalar and has no records/);
  });
});

describe('classic layout corners', () => {
  it('reads the unpadded records of a lone record variable and a scalar', async () => {
    for (const kind of ['classic', '64-bit-offset']) {
      const file = await openNetcdf(ncgen('lone', kind, LONE_RECORD_CDL));
      expect(await file.read('level')).toEqual(Int16Array.of(1, 2, 3, 4, 5, 6, 7, 8, 9));
      expect(await file.readRecord('level', 2)).toEqual(Int16Array.of(7, 8, 9));
      expect(await file.read('fixed')).toEqual(Int32Array.of(7, 8, 9));
      expect(await file.read('scalar')).toEqual(Float64Array.of(-0.5));
      await file.close();
    }
  });

  it('reads files without dimensions, or without anything', async () => {
    const scalarOnly = await openNetcdf(ncgen('scalar', 'classic', 'netcdf scalar {\nvariables:\n  int answer ;\ndata:\n  answer = 42 ;\n}\n'));
    expect(scalarOnly.dimensions).toEqual([]);
    expect(scalarOnly.recordCount).toBe(0);
    expect(await scalarOnly.read('answer')).toEqual(Int32Array.of(42));
    await scalarOnly.close();
    const empty = await openNetcdf(ncgen('nothing', 'classic', 'netcdf nothing {\n}\n'));
    expect([empty.dimensions, empty.attributes, empty.variables]).toEqual([[], [], []]);
    await empty.close();
  });

  it('reads a header longer than the first prefix', async () => {
    for (const kind of ['classic', '64-bit-offset', 'nc4']) {
      const file = await openNetcdf(ncgen('long', kind, LONG_HEADER_CDL));
      expect(file.attribute('comment', 'v')?.value).toBe(LONG_TEXT);
      expect(await file.read('v')).toEqual(Float32Array.of(1.5, 2.5));
      await file.close();
    }
  });
});

describe('malformed files', () => {
  function writeBytes(name: string, bytes: Uint8Array): string {
    const path = join(dir, name);
    writeFileSync(path, bytes);
    return path;
  }

  function cut(source: string, name: string, length: number): string {
    return writeBytes(name, readFileSync(source).subarray(0, length));
  }

  it('reports a classic file cut in the header', async () => {
    const whole = ncgen('forecast', 'classic', FORECAST_CDL);
    const path = cut(whole, 'cut-header.nc', 100);
    await expect(openNetcdf(path)).rejects.toThrow(`${path}: header cut short: the file ends at byte 100 inside the header`);
  });

  it('reports a long header cut after the first prefix', async () => {
    const path = cut(ncgen('long', 'classic', LONG_HEADER_CDL), 'cut-long-header.nc', 100_000);
    await expect(openNetcdf(path)).rejects.toThrow(/header cut short: the file ends at byte 100000/);
  });

  it('reports a classic file cut in the record data at open, naming the variable and sizes', async () => {
    const whole = ncgen('forecast', 'classic', FORECAST_CDL);
    const size = readFileSync(whole).length;
    const path = cut(whole, 'cut-records.nc', size - 10);
    await expect(openNetcdf(path)).rejects.toThrow(
      new RegExp(`^${path}: file cut short: 3 records of variable '\\w+' \\(\\d+ bytes each, every \\d+ bytes from offset \\d+\\) would end at byte \\d+, but the file has only ${size - 10} bytes$`),
    );
  });

  it('reports a file cut in the data of a fixed variable', async () => {
    const whole = ncgen('fixed', 'classic', fixedOnlyCdl('short'));
    const size = readFileSync(whole).length;
    const path = cut(whole, 'cut-fixed.nc', size - 3);
    await expect(openNetcdf(path)).rejects.toThrow(
      `${path}: file cut short: data of variable 'v' (8 bytes at offset ${size - 8}) would end at byte ${size}, but the file has only ${size - 3} bytes`,
    );
  });

  it('reports a wrong magic number with the bytes found', async () => {
    const path = writeBytes('wrong-magic.nc', Uint8Array.of(0x43, 0x44, 0x46, 0x07, 0, 0, 0, 0));
    await expect(openNetcdf(path)).rejects.toThrow(`${path}: not a NetCDF file: expected "CDF\\x01", "CDF\\x02" or the HDF5 signature, found bytes 43 44 46 07 00 00 00 00 ("CDF.....")`);
  });

  it('reports a file that is not NetCDF at all', async () => {
    const text = writeBytes('notes.nc', new TextEncoder().encode('# station list\naveiro 40.64 -8.75\n'));
    await expect(openNetcdf(text)).rejects.toThrow(`${text}: not a NetCDF file: expected "CDF\\x01", "CDF\\x02" or the HDF5 signature, found bytes 23 20 73 74 61 74 69 6f ("# statio")`);
    const random = writeBytes('random.nc', Uint8Array.from({ length: 4096 }, (_, i) => (i * 2654435761) >>> 24));
    await expect(openNetcdf(random)).rejects.toThrow(/random\.nc: not a NetCDF file: .* found bytes/);
    const empty = writeBytes('empty.nc', new Uint8Array(0));
    await expect(openNetcdf(empty)).rejects.toThrow(`${empty}: not a NetCDF file: the file is empty`);
  });

  it('reports CDF-5 as unsupported', async () => {
    const path = writeBytes('cdf5.nc', Uint8Array.of(0x43, 0x44, 0x46, 0x05, 0, 0, 0, 0));
    await expect(openNetcdf(path)).rejects.toThrow(`${path}: CDF-5 (64-bit data) NetCDF files are not supported`);
  });

  it('reports a truncated NetCDF-4 file', async () => {
    const whole = ncgen('forecast', 'nc4', FORECAST_CDL);
    const path = cut(whole, 'cut.nc4', 2000);
    await expect(openNetcdf(path)).rejects.toThrow(new RegExp(`^${path}: cannot open as NetCDF-4/HDF5: truncated file`));
  });

  it('reports a corrupt classic header', async () => {
    const bytes = readFileSync(ncgen('forecast', 'classic', FORECAST_CDL));
    bytes.writeUInt32BE(99, 8); // the dimension list tag
    const path = writeBytes('bad-tag.nc', bytes);
    await expect(openNetcdf(path)).rejects.toThrow(`${path}: invalid NetCDF header: Not a valid NetCDF v3.x file: wrong tag for list of dimensions`);
  });
});
