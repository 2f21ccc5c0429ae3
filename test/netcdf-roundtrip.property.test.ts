/**
 * Random classic schemas and data written with NetcdfWriter read back through
 * openNetcdf: dimensions, attributes, variable descriptions, whole reads and
 * record reads must all come back exactly as written.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import fc from 'fast-check';
import { afterAll, beforeAll, expect, it } from 'vitest';

import { openNetcdf } from '../core/netcdf/reader.js';
import type { Attribute, ClassicType, NcData } from '../core/netcdf/types.js';
import { NetcdfWriter } from '../core/netcdf/writer.js';
import type { DimensionSpec, NetcdfSchema, VariableSpec } from '../core/netcdf/writer.js';

const NUMERIC_TYPES = ['byte', 'short', 'int', 'float', 'double'] as const;
type NumericType = (typeof NUMERIC_TYPES)[number];

const TYPED_ARRAY = { byte: Int8Array, short: Int16Array, int: Int32Array, float: Float32Array, double: Float64Array } as const;

const name = fc.stringMatching(/^[A-Za-z][A-Za-z0-9_]{0,7}$/);
const text = (maxLength: number) => fc.string({ unit: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)), maxLength });

function numberOf(type: NumericType): fc.Arbitrary<number> {
  switch (type) {
    case 'byte':
      return fc.integer({ min: -128, max: 127 });
    case 'short':
      return fc.integer({ min: -32768, max: 32767 });
    case 'int':
      return fc.integer({ min: -2147483648, max: 2147483647 });
    case 'float':
      return fc.float();
    case 'double':
      return fc.double();
  }
}

const attribute = (attributeName: string): fc.Arbitrary<Attribute> =>
  fc.oneof(
    text(20).map((value): Attribute => ({ name: attributeName, type: 'char', value })),
    fc.constantFrom(...NUMERIC_TYPES).chain((type) =>
      fc.array(numberOf(type), { minLength: 1, maxLength: 4 }).map((value): Attribute => ({ name: attributeName, type, value })),
    ),
  );

const attributes: fc.Arbitrary<Attribute[]> = fc
  .uniqueArray(name, { maxLength: 3 })
  .chain((names) => fc.tuple(...names.map(attribute)));

interface Case {
  schema: NetcdfSchema;
  records: number;
  /** Whole-variable values: numbers, or for char variables one string per row of the last dimension. */
  values: Map<string, number[] | string[]>;
}

const RECORD_DIMENSION = 'time';

/** A schema, a record count and values for every variable, all consistent with each other. */
const roundTripCase: fc.Arbitrary<Case> = fc
  .record({
    format: fc.constantFrom('classic' as const, '64bit-offset' as const),
    fixedSizes: fc.uniqueArray(name.filter((n) => n !== RECORD_DIMENSION), { minLength: 1, maxLength: 3 }).chain((names) =>
      fc.tuple(...names.map((n) => fc.integer({ min: 1, max: 4 }).map((size) => [n, size] as const))),
    ),
    unlimitedAt: fc.option(fc.nat(3), { nil: undefined }),
    records: fc.integer({ min: 0, max: 3 }),
    globalAttributes: attributes,
    variableNames: fc.uniqueArray(name, { minLength: 1, maxLength: 4 }),
  })
  .chain(({ format, fixedSizes, unlimitedAt, records, globalAttributes, variableNames }) => {
    const dimensions: DimensionSpec[] = fixedSizes.map(([n, size]) => ({ name: n, size }));
    if (unlimitedAt !== undefined) dimensions.splice(Math.min(unlimitedAt, dimensions.length), 0, { name: RECORD_DIMENSION, size: 'unlimited' });
    const recordCount = unlimitedAt === undefined ? 0 : records;
    const fixedNames = fixedSizes.map(([n]) => n);
    const sizeOf = new Map<string, number>([...fixedSizes, [RECORD_DIMENSION, recordCount]]);

    const variable = (variableName: string) =>
      fc
        .record({
          type: fc.constantFrom<ClassicType>('byte', 'char', 'short', 'int', 'float', 'double'),
          record: unlimitedAt === undefined ? fc.constant(false) : fc.boolean(),
          fixed: fc.shuffledSubarray(fixedNames, { maxLength: Math.min(2, fixedNames.length) }),
          attributes,
        })
        // A char variable needs a last dimension to hold its strings.
        .filter(({ type, fixed }) => type !== 'char' || fixed.length > 0)
        .chain(({ type, record, fixed, attributes: variableAttributes }) => {
          const spec: VariableSpec = {
            name: variableName,
            type,
            dimensions: record ? [RECORD_DIMENSION, ...fixed] : fixed,
            attributes: variableAttributes,
          };
          const shape = spec.dimensions.map((d) => sizeOf.get(d)!);
          const count = shape.reduce((n, s) => n * s, 1);
          const values: fc.Arbitrary<number[] | string[]> =
            type === 'char'
              ? fc.array(text(shape.at(-1)!), { minLength: count / shape.at(-1)!, maxLength: count / shape.at(-1)! })
              : fc.array(numberOf(type), { minLength: count, maxLength: count });
          return values.map((v) => [spec, v] as const);
        });

    return fc.tuple(...variableNames.map(variable)).map(
      (variables): Case => ({
        schema: { format, dimensions, attributes: globalAttributes, variables: variables.map(([spec]) => spec) },
        // Records can only be appended when some variable has them.
        records: variables.some(([spec]) => spec.dimensions[0] === RECORD_DIMENSION) ? recordCount : 0,
        values: new Map(variables.map(([spec, v]) => [spec.name, v])),
      }),
    );
  });

function perSlice(shape: number[], type: ClassicType): number {
  return shape.slice(1, type === 'char' ? -1 : undefined).reduce((n, s) => n * s, 1);
}

function asNcData(type: ClassicType, values: number[] | string[]): NcData {
  return type === 'char' ? (values as string[]) : TYPED_ARRAY[type as NumericType].from(values as number[]);
}

async function write(path: string, { schema, records, values }: Case): Promise<void> {
  const writer = await NetcdfWriter.create(path, schema);
  const recordVariables = schema.variables.filter((v) => v.dimensions[0] === RECORD_DIMENSION);
  for (const variable of schema.variables) {
    if (!recordVariables.includes(variable)) await writer.write(variable.name, values.get(variable.name)!);
  }
  for (let record = 0; record < records; record++) {
    const frame: Record<string, number[] | string[]> = {};
    for (const variable of recordVariables) {
      const all = values.get(variable.name)!;
      const n = all.length / records;
      frame[variable.name] = all.slice(record * n, (record + 1) * n);
    }
    await writer.appendRecord(frame);
  }
  await writer.close();
}

let dir: string;
let fileNumber = 0;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'coastcast-roundtrip-'));
});

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

it('reads back exactly what NetcdfWriter wrote', async () => {
  await fc.assert(
    fc.asyncProperty(roundTripCase, async (testCase) => {
      const { schema, records, values } = testCase;
      const path = join(dir, `case-${fileNumber++}.nc`);
      await write(path, testCase);
      const file = await openNetcdf(path);
      try {
        expect(file.format).toBe(schema.format);
        expect(file.recordCount).toBe(records);
        expect(file.dimensions).toEqual(
          schema.dimensions.map((d) =>
            d.size === 'unlimited' ? { name: d.name, size: records, unlimited: true } : { name: d.name, size: d.size, unlimited: false },
          ),
        );
        expect(file.attributes).toEqual(schema.attributes);
        for (const spec of schema.variables) {
          const info = file.variable(spec.name);
          const record = spec.dimensions[0] === RECORD_DIMENSION;
          const shape = spec.dimensions.map((d) => (d === RECORD_DIMENSION ? records : (schema.dimensions.find((s) => s.name === d)!.size as number)));
          expect(info).toEqual({ name: spec.name, type: spec.type, dimensions: spec.dimensions, shape, attributes: spec.attributes, record });

          const expected = values.get(spec.name)!;
          expect(await file.read(spec.name)).toEqual(asNcData(spec.type, expected));
          // Slicing a 1-D char variable would cut its one string into letters; records of text need rank 2.
          const slices = spec.type === 'char' && shape.length < 2 ? 0 : (shape[0] ?? 0);
          const n = perSlice(shape, spec.type);
          for (let index = 0; index < slices; index++) {
            expect(await file.readRecord(spec.name, index)).toEqual(asNcData(spec.type, expected.slice(index * n, (index + 1) * n)));
          }
        }
      } finally {
        await file.close();
      }
    }),
    { numRuns: 80 },
  );
});
