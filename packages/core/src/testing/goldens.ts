/**
 * Test-only harness that runs the PyTorch goldens (`fixtures/torch-goldens.json`, computed by real
 * torch) through a loss: every value case with Float64Array and Float32Array inputs, and with Int32Array
 * and BigInt64Array integer inputs; every error case must throw a LossError.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { LossError } from '../LossError.js';
import type { Tensor } from '../tensor/tensor.js';

type Num = number | string;

export interface GoldenTensor {
  shape: number[];
  dtype: 'float' | 'int64';
  data: Num[];
}

export interface GoldenCase {
  id: string;
  loss: string;
  tags: string[];
  params: Record<string, unknown>;
  inputs: Record<string, GoldenTensor>;
  expected?: { float64: { shape: number[]; data: Num[] }; float32: { shape: number[]; data: Num[] } };
  expect_error?: string;
  error_type?: string;
}

export interface GoldenFile {
  meta: Record<string, unknown>;
  cases: GoldenCase[];
}

export type FloatKind = 'float32' | 'float64';
export type IntKind = 'int32' | 'int64';

/** Path of a fixture under the repository's `fixtures/` folder. */
export function fixturePath(name: string): string {
  return new URL(`../../../../fixtures/${name}`, import.meta.url).pathname;
}

const files = new Map<string, GoldenFile>();

/** Loads (once) a golden file from `fixtures/`. */
export function loadGoldens(name = 'torch-goldens.json'): GoldenFile {
  let file = files.get(name);
  if (file === undefined) {
    file = JSON.parse(readFileSync(fixturePath(name), 'utf8')) as GoldenFile;
    files.set(name, file);
  }
  return file;
}

/** A golden number: non-finite values are stored as strings. */
export function num(v: Num): number {
  if (typeof v === 'number') return v;
  if (v === 'NaN') return Number.NaN;
  if (v === 'Infinity') return Number.POSITIVE_INFINITY;
  if (v === '-Infinity') return Number.NEGATIVE_INFINITY;
  throw new Error(`not a golden number: ${v}`);
}

/** A golden tensor as a core tensor of the given float / integer kind. */
export function toTensor(t: GoldenTensor, float: FloatKind, int: IntKind): Tensor {
  const values = t.data.map(num);
  if (t.dtype === 'float') {
    return {
      data: float === 'float32' ? Float32Array.from(values) : Float64Array.from(values),
      shape: t.shape,
    };
  }
  return {
    data: int === 'int32' ? Int32Array.from(values) : BigInt64Array.from(values.map((v) => BigInt(v))),
    shape: t.shape,
  };
}

const camel = (s: string): string => s.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());

/**
 * torch's deprecated `size_average` / `reduce` resolved to the `reduction` they override, as
 * `torch.nn._reduction.legacy_get_string` does (a `None` counts as `True`).
 */
export function resolveLegacy(params: Record<string, unknown>): Record<string, unknown> {
  const { size_average: sizeAverage, reduce, ...rest } = params;
  if (sizeAverage === undefined && reduce === undefined) return params;
  if (sizeAverage === null && reduce === null) return params;
  const r = reduce === false ? 'none' : sizeAverage === false ? 'sum' : 'mean';
  return { ...rest, reduction: r };
}

/** The forward arguments (in torch's order) and camelCase options (tensor kwargs included) of a case. */
export interface GoldenCall {
  args: Tensor[];
  options: Record<string, unknown>;
}

const TENSOR_KWARGS = new Set(['weight', 'pos_weight']);

export function goldenCall(c: GoldenCase, float: FloatKind, int: IntKind): GoldenCall {
  const args: Tensor[] = [];
  const options: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(resolveLegacy(c.params))) options[camel(k)] = v;
  for (const [k, v] of Object.entries(c.inputs)) {
    if (TENSOR_KWARGS.has(k)) options[camel(k)] = toTensor(v, float, int);
    else args.push(toTensor(v, float, int));
  }
  return { args, options };
}

/** Tolerances of the project: float64 rel 1e-10 / abs 1e-12; float32 rel 2e-6 / abs 1e-6. */
export function tolerance(float: FloatKind, relF64 = 1e-10): { rel: number; abs: number } {
  return float === 'float64' ? { rel: relF64, abs: 1e-12 } : { rel: 2e-6, abs: 1e-6 };
}

/** `|got − exp| ≤ abs + rel·|exp|`, NaN matching NaN and infinities matching exactly. */
export function close(got: number, exp: number, tol: { rel: number; abs: number }): boolean {
  if (Number.isNaN(exp)) return Number.isNaN(got);
  if (!Number.isFinite(exp)) return got === exp;
  return Math.abs(got - exp) <= tol.abs + tol.rel * Math.abs(exp);
}

/** Asserts a loss result (number or tensor) against an expected golden shape and data. */
export function expectGolden(
  got: Tensor | number,
  expected: { shape: number[]; data: Num[] },
  tol: { rel: number; abs: number },
  float: FloatKind,
): void {
  const exp = expected.data.map(num);
  if (typeof got === 'number') {
    expect(expected.shape, 'a number result needs a 0-d expectation').toEqual([]);
    expect(close(got, exp[0]!, tol), `got ${got}, expected ${exp[0]}`).toBe(true);
    return;
  }
  expect([...got.shape]).toEqual(expected.shape);
  expect(got.data).toBeInstanceOf(float === 'float32' ? Float32Array : Float64Array);
  const bad: string[] = [];
  for (let i = 0; i < exp.length; i++) {
    const g = Number(got.data[i]);
    if (!close(g, exp[i]!, tol)) bad.push(`[${i}] got ${g}, expected ${exp[i]}`);
  }
  expect(bad, bad.slice(0, 5).join('; ')).toEqual([]);
}

/** Options of {@link runGoldens}. */
export interface RunGoldensOptions {
  /** float64 relative tolerance (CTC uses 1e-9). */
  relF64?: number;
  /** Golden file under `fixtures/` (default `torch-goldens.json`), e.g. an extension file made by `scripts/fixtures/`. */
  file?: string;
}

/**
 * Registers vitest cases for every golden of `loss` (the torch class name): value cases in float64
 * and float32, each with Int32Array and BigInt64Array integer inputs, and error cases.
 * `overflow32` cases, where torch's float32 intermediates overflow, are checked in float32 against
 * the float64 value rounded to float32: what a float64-accumulating implementation computes.
 */
export function runGoldens(
  loss: string,
  call: (args: Tensor[], options: Record<string, unknown>) => Tensor | number,
  opts: RunGoldensOptions = {},
): void {
  const file = opts.file ?? 'torch-goldens.json';
  const cases = loadGoldens(file).cases.filter((c) => c.loss === loss);
  describe(`${loss} goldens${opts.file === undefined ? '' : ` (${file})`}`, () => {
    it('has cases in the fixture', () => expect(cases.length).toBeGreaterThan(0));
    for (const c of cases) {
      const hasInt = Object.values(c.inputs).some((t) => t.dtype === 'int64');
      for (const float of ['float64', 'float32'] as const) {
        for (const int of hasInt ? (['int32', 'int64'] as const) : (['int64'] as const)) {
          const label = `${c.id} [${c.tags.join(',')}] ${float}${hasInt ? `/${int}` : ''}`;
          it(label, () => {
            const { args, options } = goldenCall(c, float, int);
            if (c.expect_error !== undefined) {
              expect(() => call(args, options)).toThrow(LossError);
              return;
            }
            const expected = c.expected!;
            let target = expected[float];
            if (float === 'float32' && c.tags.includes('overflow32')) {
              target = {
                shape: expected.float64.shape,
                data: expected.float64.data.map((v) => Math.fround(num(v))),
              };
            }
            expectGolden(call(args, options), target, tolerance(float, opts.relF64), float);
          });
        }
      }
    }
  });
}
