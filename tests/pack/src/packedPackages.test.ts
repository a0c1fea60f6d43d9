import { type ExecFileSyncOptions, execFileSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readmeExamples } from './readmeExamples.js';

// What users get: every package packed as it would be published (its `prepack` included),
// installed from the tarballs with npm into a project outside the workspace, so nothing resolves
// through the workspace's node_modules, then the READMEs' examples run there as written.

const root = fileURLToPath(new URL('../../..', import.meta.url));
const PACKAGES = [
  { dir: 'packages/core', name: '@lossflow/core' },
  { dir: 'packages/arrow', name: '@lossflow/arrow' },
  { dir: 'packages/rx', name: '@lossflow/rx' },
  { dir: 'packages/nats', name: '@lossflow/nats' },
  { dir: 'apps/cli', name: 'lossflow' },
] as const;
/** Exported entries that are a worker thread's body, not a module to import (the CLI bundle copies them). */
const WORKER_BODIES = new Set(['@lossflow/arrow/batchWorker']);
const READMES = ['README.md', ...PACKAGES.map(({ dir }) => `${dir}/README.md`)];

interface Manifest {
  name: string;
  version: string;
  license?: string;
  author?: string;
  keywords?: string[];
  homepage?: string;
  repository?: { type: string; url: string; directory: string };
  bugs?: { url: string };
  engines?: { node?: string };
  publishConfig?: { access?: string };
  exports?: unknown;
  imports?: unknown;
  bin?: Record<string, string>;
  scripts?: Record<string, string>;
}

let project = '';
const packed = new Map<string, string[]>();

/** The environment of the processes run in the project: npm settings of the pnpm run that started these tests stay out. */
function projectEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (!/^(npm|pnpm)_/i.test(key) && key !== 'INIT_CWD') env[key] = value;
  }
  // The installed bin and the Node running these tests (Node 20, 22 or 24 in CI) come first.
  env.PATH = [join(project, 'node_modules', '.bin'), dirname(process.execPath), process.env.PATH].join(
    delimiter,
  );
  return env;
}

function run(file: string, args: readonly string[], options: ExecFileSyncOptions = {}): string {
  try {
    return execFileSync(file, args, {
      cwd: project,
      env: projectEnv(),
      encoding: 'utf8',
      stdio: 'pipe',
      ...options,
    }).toString();
  } catch (error) {
    const e = error as { stdout?: string; stderr?: string; message: string };
    throw new Error(
      `${file} ${args.join(' ')} failed: ${e.message}\nstdout:\n${e.stdout ?? ''}\nstderr:\n${e.stderr ?? ''}`,
    );
  }
}

function installed(name: string): string {
  return join(project, 'node_modules', ...name.split('/'));
}

function manifestOf(dir: string): Manifest {
  return JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as Manifest;
}

/** Every path string in an `exports` or `bin` value. */
function targets(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (value && typeof value === 'object') return Object.values(value).flatMap(targets);
  return [];
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name));
}

beforeAll(() => {
  project = mkdtempSync(join(tmpdir(), 'lossflow-pack-'));
  expect(relative(root, project).startsWith('..')).toBe(true);
  const tarballs = join(project, 'tarballs');
  for (const { dir, name } of PACKAGES) {
    // `pnpm pack` runs the package's `prepack` (a turbo build, a cache hit here: `pnpm test` built
    // everything first) and writes `workspace:*` dependencies as the versions they stand for.
    const report = JSON.parse(
      run('pnpm', ['pack', '--pack-destination', tarballs, '--json'], {
        cwd: join(root, dir),
        env: process.env,
      }),
    ) as { name: string; filename: string; files: { path: string }[] };
    expect(report.name).toBe(name);
    packed.set(name, [report.filename, ...report.files.map((f) => f.path)]);
  }
  writeFileSync(
    join(project, 'package.json'),
    `${JSON.stringify({ name: 'pack-smoke', private: true, type: 'module' })}\n`,
  );
  // Third-party dependencies (apache-arrow, parquet-wasm, rxjs) come from the npm cache when it
  // has them, else from the registry; without either, the install fails and so does this test.
  const tgz = [...packed.values()].map(([filename]) => filename as string);
  run('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error', ...tgz]);
  // The logs the examples name: 3 classes (the root README's weights have 3), epochs, ignored targets.
  for (const [file, format] of [
    ['train-log.arrow', 'arrow'],
    ['train-log.arrows', 'arrow'],
    ['train-log.parquet', 'parquet'],
  ] as const) {
    run('lossflow', [
      'generate',
      '--rows',
      '3000',
      '--classes',
      '3',
      '--epochs',
      '3',
      '--format',
      format,
      '--out',
      file,
      '-q',
    ]);
  }
});

afterAll(() => {
  if (project) rmSync(project, { recursive: true, force: true });
});

describe.each(PACKAGES)('the packed $name', ({ dir, name }) => {
  it('holds what package.json points at, LICENSE and README, and no tests or build caches', () => {
    const files = packed.get(name)?.slice(1) ?? [];
    const manifest = manifestOf(installed(name));
    for (const target of [
      ...targets(manifest.exports),
      ...targets(manifest.imports),
      ...targets(manifest.bin),
    ]) {
      expect(files, `${name} ships ${target}`).toContain(target.replace(/^\.\//, ''));
    }
    expect(files).toEqual(expect.arrayContaining(['LICENSE', 'README.md', 'package.json']));
    expect(files.filter((f) => /\.test\.|tsbuildinfo|(^|\/)testing\//.test(f))).toEqual([]);
    expect(readFileSync(join(installed(name), 'LICENSE'), 'utf8')).toContain(
      'Copyright (c) 2026 lossflow contributors',
    );
  });

  it('has source maps whose sources are shipped or embedded', () => {
    const unresolved: string[] = [];
    const maps = filesUnder(installed(name)).filter((f) => f.endsWith('.map'));
    expect(maps.length).toBeGreaterThan(0);
    for (const map of maps) {
      const { sources, sourcesContent } = JSON.parse(readFileSync(map, 'utf8')) as {
        sources: string[];
        sourcesContent?: (string | null)[];
      };
      sources.forEach((source, i) => {
        if (sourcesContent?.[i] == null && !existsSync(resolve(dirname(map), source))) {
          unresolved.push(`${relative(project, map)} -> ${source}`);
        }
      });
    }
    expect(unresolved.slice(0, 5)).toEqual([]);
  });

  it('says where it comes from, its license and the Node versions it runs on', () => {
    const manifest = manifestOf(installed(name));
    expect(manifest.license).toBe('MIT');
    expect(manifest.author).toBe('lossflow contributors');
    expect(manifest.keywords?.length).toBeGreaterThan(0);
    expect(manifest.repository).toEqual({
      type: 'git',
      url: 'git+https://github.com/lossflow/lossflow.git',
      directory: dir,
    });
    expect(manifest.homepage).toMatch(/^https:\/\/github\.com\/lossflow\/lossflow\b/);
    expect(manifest.bugs?.url).toBe('https://github.com/lossflow/lossflow/issues');
    // require() of an ES module (what CommonJS users do) needs 20.19 or 22.12.
    expect(manifest.engines?.node).toBe('^20.19.0 || >=22.12.0');
    if (name.startsWith('@')) expect(manifest.publishConfig?.access).toBe('public');
    // pnpm leaves `prepack` out of the packed manifest: it is the workspace's to run.
    expect(manifestOf(join(root, dir)).scripts?.prepack).toBe('node ../../scripts/prepack.mjs');
  });
});

describe('installed from the tarballs', () => {
  it('`lossflow --version` prints the packed version', () => {
    expect(run('lossflow', ['--version']).trim()).toBe(manifestOf(installed('lossflow')).version);
  });

  it('`lossflow eval` gives what the workspace build gives', () => {
    const args = ['eval', 'train-log.arrow', '--loss', 'cross-entropy', '--by', 'epoch', '--format', 'json'];
    const out = run('lossflow', args);
    expect(JSON.parse(out)).toMatchObject({ rows: 9000, results: [{ loss: 'cross-entropy', rows: 9000 }] });
    expect(out).toBe(run(process.execPath, [join(root, 'apps/cli/bundle/bin.js'), ...args]));
  });

  it("`pnpm lossflow` runs the checkout's CLI, with paths relative to where it was called", () => {
    const args = ['eval', 'train-log.arrow', '--by', 'epoch', '--format', 'json'];
    const fromCheckout = run('pnpm', ['--silent', '--dir', root, 'lossflow', ...args]);
    expect(fromCheckout).toBe(run('lossflow', args));
  });

  /**
   * Code that exits 0 when `specifier` loads: a module with exports in this thread; a worker
   * thread's body (it exports nothing and needs the thread's port) inside a worker thread.
   */
  const loads = (specifier: string): string =>
    WORKER_BODIES.has(specifier)
      ? `import { Worker } from 'node:worker_threads';
         const body = ${JSON.stringify(`Promise.all([import(${JSON.stringify(specifier)}), import('node:worker_threads')]).then(([, t]) => t.parentPort.postMessage('loaded'));`)};
         const w = new Worker(body, { eval: true });
         w.once('error', (e) => { console.error(e); process.exit(1); });
         w.once('message', () => w.terminate());`
      : `const m = await import(${JSON.stringify(specifier)}); if (Object.keys(m).length === 0) process.exit(1);`;

  it.each(PACKAGES.filter(({ name }) => name.startsWith('@')))(
    'every entry of $name loads in Node, and each names its types and code',
    ({ name }) => {
      const entries = Object.entries(
        manifestOf(installed(name)).exports as Record<string, Record<string, string>>,
      );
      expect(entries.length).toBeGreaterThan(0);
      for (const [subpath, conditions] of entries) {
        expect(Object.keys(conditions), `${name} ${subpath}`).toEqual(['types', 'default']);
        const specifier = subpath === '.' ? name : `${name}/${subpath.slice(2)}`;
        run(process.execPath, ['--input-type=module', '-e', loads(specifier)]);
      }
    },
  );

  it('the universal root of @lossflow/arrow reads Parquet in Node and refuses a path with a hint', () => {
    const code = `
      import { readFileSync } from 'node:fs';
      import { readBatches } from '@lossflow/arrow';
      let rows = 0;
      for await (const b of readBatches(new Blob([readFileSync('train-log.parquet')]))) rows += b.numRows;
      const refused = await readBatches('train-log.parquet').schema().then(() => 'read', (e) => e.code + ' ' + e.hint);
      console.log(rows, refused);`;
    const out = run(process.execPath, ['--input-type=module', '-e', code]).trim();
    expect(out).toMatch(/^9000 IO .*@lossflow\/arrow\/node/);
  });

  it.each(PACKAGES.filter(({ name }) => name.startsWith('@')))(
    'require($name) works from CommonJS',
    ({ name }) => {
      const code = `const m = require(${JSON.stringify(name)}); if (Object.keys(m).length === 0) process.exit(1);`;
      run(process.execPath, ['--input-type=commonjs', '-e', code]);
    },
  );

  it('runs every README example as written', () => {
    const ts: string[] = [];
    const sh: { file: string; code: string }[] = [];
    for (const readme of READMES) {
      const examples = readmeExamples(join(root, readme));
      expect(examples.length, `${readme} has a marked example`).toBeGreaterThan(0);
      for (const { language, code, line } of examples) {
        const slug = `${readme.replace(/\/?README\.md$/, '').replace(/\//g, '-') || 'root'}-${line}`;
        if (language === 'sh') sh.push({ file: `${readme}:${line}`, code });
        else {
          mkdirSync(join(project, 'examples'), { recursive: true });
          writeFileSync(join(project, 'examples', `${slug}.ts`), `${code}\n`);
          ts.push(slug);
        }
      }
    }
    // Type-checked as strictly as the repository's own code, against the installed type declarations.
    const base = JSON.parse(readFileSync(join(root, 'tsconfig.base.json'), 'utf8')) as {
      compilerOptions: object;
    };
    const compilerOptions = {
      ...base.compilerOptions,
      composite: false,
      declaration: false,
      declarationMap: false,
      sourceMap: false,
      rootDir: 'examples',
      outDir: 'out',
      types: ['node'],
      typeRoots: [join(root, 'node_modules/@types')],
    };
    writeFileSync(join(project, 'tsconfig.json'), JSON.stringify({ compilerOptions, include: ['examples'] }));
    const tsc = createRequire(join(root, 'package.json')).resolve('typescript/bin/tsc');
    run(process.execPath, [tsc, '-p', 'tsconfig.json']);
    for (const slug of ts) {
      expect(run(process.execPath, [join('out', `${slug}.js`)]), slug).not.toBe('');
    }
    for (const { file, code } of sh) {
      expect(() => run('bash', ['-euo', 'pipefail', '-c', code]), file).not.toThrow();
    }
  });
});
