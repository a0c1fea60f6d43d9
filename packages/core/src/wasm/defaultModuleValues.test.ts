/**
 * The default kernel module gives the same bits as before the relaxed-SIMD build existed: the
 * fingerprint below was taken with the module built from the sources before assembly/relaxedOps.ts
 * (on Node 20; Node 22 and 24 gave the same), so any change to what the default module computes,
 * on any Node, fails here. And 'auto' runs it wherever relaxed SIMD is missing, as on Node 20 (kernelBackend.test.ts checks
 * that Node 20 has none without a flag).
 */
import { afterAll, afterEach, expect, it, vi } from 'vitest';
import { kernelFingerprint } from '../testing/kernelFingerprint.js';
import { setKernelBackend } from './kernelBackend.js';

const BEFORE_RELAXED_SIMD: Record<string, number> = {
  'mse sum': 614782.625,
  'mse none': 2374019199,
  'l1 sum': 151023.046875,
  'l1 none': 2254286460,
  'smoothL1 sum': 134218.125,
  'smoothL1 none': 2210960414,
  'huber sum': 157184.953125,
  'huber none': 4126914412,
  'klDiv sum': -12903.685546875,
  'klDiv none': 4079623696,
  'klDiv logTarget sum': -9557.2783203125,
  'klDiv logTarget none': 2839019234,
  'bceWithLogits sum': 81621.03125,
  'bceWithLogits none': 1476044628,
  'bceWithLogits weighted sum': 268415.25,
  'bceWithLogits weighted none': 567148605,
  'crossEntropy sum': 16567.435546875,
  'crossEntropy none': 2564021354,
  'crossEntropy weighted smoothed sum': 19091.33984375,
  'crossEntropy weighted smoothed none': 1250737334,
  'nll sum': 349.7693786621094,
  'nll none': 2994683882,
  'mse f64': 614782.6523719466,
  'huber f64': 157184.96241486885,
  'klDiv f64': -12903.685812783819,
  'klDiv logTarget f64': -9557.278180367963,
  'crossEntropy f64': 19091.340263114784,
  'crossEntropy weight f64': 2151.0877402722836,
};

afterAll(() => setKernelBackend('auto'));
afterEach(() => {
  vi.restoreAllMocks();
  vi.resetModules();
});

it("'wasm' gives the values the default module gave before the relaxed-SIMD build, bit for bit", () => {
  setKernelBackend('wasm');
  expect(kernelFingerprint()).toEqual(BEFORE_RELAXED_SIMD);
});

it("'auto' gives those values where relaxed SIMD is missing: Node 20, or a probe that does not validate", async () => {
  const engine = (globalThis as unknown as { WebAssembly: { validate(code: Uint8Array): boolean } })
    .WebAssembly;
  const validate = engine.validate.bind(engine);
  // The probe is the only module under 100 bytes.
  vi.spyOn(engine, 'validate').mockImplementation((code) => code.length >= 100 && validate(code));
  vi.resetModules();
  const fresh = await import('../testing/kernelFingerprint.js');
  const backend = await import('./kernelBackend.js');
  expect(backend.getKernelBackend()).toBe('wasm');
  expect(fresh.kernelFingerprint()).toEqual(BEFORE_RELAXED_SIMD);
});
