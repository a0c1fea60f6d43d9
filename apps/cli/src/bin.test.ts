/**
 * What `bundle/bin.js` loads before it knows the command: only the dispatch. A static import of
 * anything that reaches @lossflow/core, apache-arrow or RxJS made every run (`--version` too) load
 * and evaluate about 660 KB of JavaScript first, and made `eval` start its workers only after that.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const bundle = new URL('../bundle/', import.meta.url);

/** The files `file` imports statically (`import … from "./x.js"` and `import "./x.js"`, not `import()`), transitively. */
function staticClosure(file: string, seen = new Set<string>()): Set<string> {
  if (seen.has(file)) return seen;
  seen.add(file);
  const text = readFileSync(new URL(file, bundle), 'utf8');
  for (const m of text.matchAll(/import\s*(?:[\w*{}\s,$]+from\s*)?["']\.\/([\w.-]+\.js)["']/g))
    staticClosure(m[1]!, seen);
  return seen;
}

describe('bundle/bin.js', () => {
  it('loads only the command dispatch before it knows the command', () => {
    const files = [...staticClosure('bin.js')];
    const bytes = files.reduce((n, f) => n + readFileSync(new URL(f, bundle)).length, 0);
    expect(bytes).toBeLessThan(16_384);
    for (const f of files) {
      const text = readFileSync(new URL(f, bundle), 'utf8');
      expect(text).not.toMatch(/class _?LossError|class _?ArrowReadError|flatbuffers|rxjs/);
    }
  });

  it("loads no RxJS, apache-arrow or reader before eval's workers are pre-started", () => {
    // eval's argument checks run before its workers start (see prestartEval): whatever they load
    // delays the workers. The loss registry (@lossflow/core) is needed; the operators are not.
    const bin = readFileSync(new URL('bin.js', bundle), 'utf8');
    const dynamic = [...bin.matchAll(/import\(["']\.\/([\w.-]+\.js)["']\)/g)].map((m) => m[1]!);
    // The chunk of `import('./commands/prestartEval.js')` re-exports it.
    const prestart = dynamic.filter((f) =>
      /export\s*\{[^}]*\bprestartEval\b/.test(readFileSync(new URL(f, bundle), 'utf8')),
    );
    expect(prestart).toHaveLength(1);
    const sources = [...staticClosure(prestart[0]!)].flatMap(
      (f) => (JSON.parse(readFileSync(new URL(`${f}.map`, bundle), 'utf8')) as { sources: string[] }).sources,
    );
    expect(sources.some((s) => s.endsWith('args/evalArgs.ts'))).toBe(true);
    const heavy = sources.filter(
      (s) =>
        /node_modules[\\/].*(rxjs|apache-arrow|flatbuffers)/.test(s) ||
        /rx[\\/]src[\\/](operators[\\/]|metrics[\\/]metricOperator)/.test(s) ||
        // MAX_THREADS (read/countOption) is one constant; the readers are not.
        /arrow[\\/]src[\\/](read[\\/](?!countOption)|ipc|parquet|io|tensors)/.test(s),
    );
    expect(heavy).toEqual([]);
  });

  it('loads no Parquet reader, file writer or HTML report for eval until a run needs one', () => {
    // The packages' entry modules re-export all of these: bundled as they are, every one landed in
    // eval's chunks (see scripts/barrelImports.mjs), and an Arrow IPC eval loaded them all.
    const bin = readFileSync(new URL('bin.js', bundle), 'utf8');
    const evalChunk = /\beval:\s*async\s*\(\)\s*=>\s*\(await import\(["']\.\/([\w.-]+\.js)["']\)\)/.exec(
      bin,
    )?.[1];
    expect(evalChunk).toBeDefined();
    const sources = [...staticClosure(evalChunk!)].flatMap(
      (f) => (JSON.parse(readFileSync(new URL(`${f}.map`, bundle), 'utf8')) as { sources: string[] }).sources,
    );
    expect(sources.some((s) => s.endsWith('commands/executeEval.ts'))).toBe(true);
    const later = sources.filter(
      (s) =>
        /node_modules[\\/].*(hyparquet|parquet-wasm)/.test(s) ||
        // decoderTrap is the worker pool's check of a failure (a few lines); the readers are not.
        /arrow[\\/]src[\\/](parquet[\\/](?!decoderTrap)|write[\\/])/.test(s) ||
        /report[\\/]reportHtml/.test(s),
    );
    expect(later).toEqual([]);
  });

  it('builds a CommonJS require only in the files that use one, their source maps still line up', () => {
    // Every file loaded built one at start-up (see scripts/requireBanner.mjs): ~60 for eval.
    const files = readdirSync(bundle).filter((f) => f.endsWith('.js'));
    const banner = 'const require = __lossflowCreateRequire(import.meta.url);';
    const withBanner = files.filter((f) => readFileSync(new URL(f, bundle), 'utf8').includes(banner));
    // esbuild's runtime (its `__require` shim for the NATS client's CommonJS) keeps it.
    expect(withBanner.length).toBeGreaterThan(0);
    expect(withBanner.length).toBeLessThan(files.length / 4);
    for (const f of files) {
      const lines = readFileSync(new URL(f, bundle), 'utf8').split('\n');
      const uses = lines.some((line) => !line.includes(banner) && /\brequire\b/.test(line));
      expect({ f, banner: withBanner.includes(f) }).toEqual({ f, banner: uses });
      // One group of mappings per generated line: the banner's line went from both.
      const { mappings } = JSON.parse(readFileSync(new URL(`${f}.map`, bundle), 'utf8')) as {
        mappings: string;
      };
      const groups = mappings.split(';');
      expect(groups.length).toBeLessThanOrEqual(lines.length);
      expect(groups.filter((g, i) => g !== '' && lines[i]!.includes(banner))).toEqual([]);
    }
  });
});
