/**
 * Test-only: lets this process's V8 validate relaxed SIMD where it is behind a flag (Node 20), so
 * the relaxed-SIMD kernels run under test on every Node the CI runs, not only on Node 22 and 24.
 * Call it before the relaxed module is first loaded; V8's flags are per process, so worker threads
 * started later see it too. vitest runs each test file in its own process, so the flag never leaks
 * into the files that check what Node 20 chooses by itself.
 */
import { setFlagsFromString } from 'node:v8';
import { relaxedSimdSupported } from '../wasm/relaxedSimdProbe.js';

/** Whether relaxed SIMD had to be switched on by flag (false where the engine has it already). */
export function allowRelaxedSimd(): boolean {
  if (relaxedSimdSupported()) return false;
  setFlagsFromString('--experimental-wasm-relaxed-simd');
  return true;
}
