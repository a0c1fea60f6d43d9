import { afterEach, describe, expect, it, vi } from 'vitest';
import { LossError } from '../LossError.js';
import { mseLoss } from '../losses/mseLoss.js';
import { getKernelBackend, initKernels, setKernelBackend } from './kernelBackend.js';
import { relaxedSimdSupported } from './relaxedSimdProbe.js';
import { wasmKernels } from './wasmKernels.js';

const major = Number(process.versions.node.split('.')[0]);

afterEach(() => {
  setKernelBackend('auto');
  vi.unstubAllEnvs();
  vi.resetModules();
});

describe('kernel backend', () => {
  it("defaults to 'auto', which picks WASM where the engine has SIMD (Node 20 does), relaxed from Node 22", async () => {
    const expected = major >= 22 ? 'wasm-relaxed' : 'wasm';
    expect(getKernelBackend()).toBe(expected);
    expect(await initKernels()).toBe(expected);
    expect(wasmKernels()).not.toBeNull();
  });

  it("forces the JS reference kernels with 'js', giving the same losses", () => {
    const x = Float32Array.from({ length: 37 }, (_, i) => Math.fround(Math.sin(i)));
    const y = Float32Array.from({ length: 37 }, (_, i) => Math.fround(i / 37));
    const fast = mseLoss(x, y);
    setKernelBackend('js');
    expect(getKernelBackend()).toBe('js');
    expect(wasmKernels()).toBeNull();
    expect(mseLoss(x, y)).toBe(fast);
  });

  it('rejects an unknown backend with a LossError', () => {
    expect(() => setKernelBackend('gpu' as 'js')).toThrow(LossError);
  });

  it('honours LOSSFLOW_KERNELS=js and =wasm, and rejects other values on first use', async () => {
    vi.stubEnv('LOSSFLOW_KERNELS', 'js');
    expect((await import('./kernelBackend.js')).getKernelBackend()).toBe('js');
    vi.resetModules();
    vi.stubEnv('LOSSFLOW_KERNELS', 'wasm');
    expect((await import('./kernelBackend.js')).getKernelBackend()).toBe('wasm');
    vi.resetModules();
    vi.stubEnv('LOSSFLOW_KERNELS', 'fast');
    const fresh = await import('./kernelBackend.js');
    expect(() => fresh.getKernelBackend()).toThrow(/LOSSFLOW_KERNELS="fast"/);
    fresh.setKernelBackend('auto');
    expect(fresh.getKernelBackend()).toBe(major >= 22 ? 'wasm-relaxed' : 'wasm');
  });
});

// The global WebAssembly object (the package's types include neither DOM nor its declarations).
const engine = (globalThis as unknown as { WebAssembly: { validate(code: Uint8Array): boolean } })
  .WebAssembly;

/** A fresh copy of the backend modules (nothing loaded yet), with `WebAssembly.validate` as given. */
async function freshModules(validate?: (code: Uint8Array) => boolean) {
  vi.resetModules();
  if (validate !== undefined) vi.spyOn(engine, 'validate').mockImplementation(validate);
  const backend = await import('./kernelBackend.js');
  const kernels = await import('./wasmKernels.js');
  const { LossError } = await import('../LossError.js');
  return { ...backend, ...kernels, LossError };
}

/** Whether `code` is the relaxed-SIMD probe (the only module smaller than 100 bytes). */
const isProbe = (code: Uint8Array) => code.length < 100;

describe('the relaxed-SIMD backend', () => {
  afterEach(() => vi.restoreAllMocks());

  it('is detected exactly where the engine has relaxed SIMD: Node 22 and later, not Node 20', () => {
    expect(relaxedSimdSupported()).toBe(major >= 22);
  });

  it("makes 'auto' run the relaxed module exactly where the engine has relaxed SIMD, today's module on Node 20", async () => {
    const fresh = await freshModules();
    const expected = major >= 22 ? 'wasm-relaxed' : 'wasm';
    expect(await fresh.initKernels()).toBe(expected);
    expect(fresh.getKernelBackend()).toBe(expected);
    const auto = fresh.wasmKernels();
    fresh.setKernelBackend(expected);
    expect(fresh.wasmKernels()).toBe(auto);
  });

  it("makes 'auto' fall back to today's module where the probe does not validate, also through initKernels", async () => {
    const fresh = await freshModules((code) => !isProbe(code));
    expect(await fresh.initKernels()).toBe('wasm');
    expect(fresh.getKernelBackend()).toBe('wasm');
  });

  it("is refused with a LossError where the probe does not validate, and 'auto' keeps today's module", async () => {
    const fresh = await freshModules((code) => !isProbe(code));
    expect(() => fresh.setKernelBackend('wasm-relaxed')).toThrow(
      /'wasm-relaxed' kernel backend is not available/,
    );
    expect(fresh.getKernelBackend()).toBe('wasm');
    expect(fresh.wasmKernels()).not.toBeNull();
  });

  it('fails on first use under LOSSFLOW_KERNELS=relaxed where the probe does not validate', async () => {
    vi.stubEnv('LOSSFLOW_KERNELS', 'relaxed');
    const fresh = await freshModules((code) => !isProbe(code));
    expect(() => fresh.getKernelBackend()).toThrow(fresh.LossError);
    expect(() => fresh.wasmKernels()).toThrow(/relaxed SIMD/);
  });
});

describe('WASM input arena', () => {
  it('grows for larger batches and reuses its regions for smaller ones', () => {
    const k = wasmKernels()!;
    const small = k.elementwiseInputs(1000);
    const again = k.elementwiseInputs(500);
    expect(again.x.byteOffset).toBe(small.x.byteOffset);
    const before = k.memory.buffer.byteLength;
    const big = k.elementwiseInputs(before / 4);
    expect(k.memory.buffer.byteLength).toBeGreaterThan(before);
    big.x.fill(2);
    big.y.fill(0.5);
    expect(k.mse.sum(big.x, big.y, big.x.length, undefined)).toBe(2.25 * big.x.length);
  });

  it('keeps an IO region that kernels never write, whose contents and address survive growth', () => {
    const k = wasmKernels()!;
    const io = k.ioBuffer(4096);
    const at = io.byteOffset;
    new Float32Array(io.buffer, at, 512).fill(3);
    new Float32Array(io.buffer, at + 2048, 512).fill(1);
    // Copied operands and per-element outputs pass through the other regions; then the memory grows.
    const n = 100_000;
    k.mse.none(new Float32Array(n).fill(1), new Float32Array(n), new Float32Array(n), undefined);
    k.elementwiseInputs(k.memory.buffer.byteLength / 2);
    expect(io.byteLength).toBe(0);
    const view = (offset: number) => new Float32Array(k.memory.buffer, at + offset, 512);
    expect(k.mse.sum(view(0), view(2048), 512, undefined)).toBe(4 * 512);
    expect(k.ioBuffer(1024).byteOffset).toBe(at);
  });

  it('refuses a view that memory growth detached instead of reading garbage', () => {
    const k = wasmKernels()!;
    const { x, y } = k.elementwiseInputs(16);
    k.elementwiseInputs(k.memory.buffer.byteLength / 2);
    expect(() => k.l1.sum(x, y, 16, undefined)).toThrow(/detached/);
  });
});
