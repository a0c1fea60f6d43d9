// Cross-entropy throughput of the page in Chromium beside `lossflow eval` on the same Arrow IPC
// stream (a benchmark, not a test): node bench/crossEntropy.bench.mjs [FILE] [WORKERS]
// (WEB_DIST=DIR times another build of the page, e.g. a copy of an earlier dist/, for an A/B;
// BENCH_THREADS=1 adds the CPU time of each of Chromium's threads.)
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { serveStatic } from '../scripts/staticServer.mjs';
import { treePids as chromiumPids, cpuOf, timeCliEval } from './benchProcesses.mjs';

const file = process.argv[2] ?? '/tmp/lossflow-bench/e2e/train-2m-100.arrows';
const workers = Number(process.argv[3] ?? Math.min(8, availableParallelism()));
const bytes = statSync(file).size;
const cli = fileURLToPath(new URL('../../cli/bundle/bin.js', import.meta.url));

const { seconds: cliSeconds, cpu: cliCpu } = timeCliEval(cli, file);

const server = await serveStatic(process.env.WEB_DIST ?? fileURLToPath(new URL('../dist/', import.meta.url)));
const marker = `--lossflow-bench=${process.pid}`;
const treePids = () => chromiumPids(marker);
const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: ['--no-sandbox', '--headless', marker],
});
const page = await browser.newPage();
// Memory and CPU time of Chromium's processes (the browser's and its children's). Resident memory
// summed over processes counts the pages they share (Chromium's code, ~0.9 GB here) once per
// process; the proportional set size (Pss) counts each page once, shared among its processes.
/**
 * Resident and proportional memory of Chromium's processes. Reading smaps_rollup walks each
 * process's page tables (milliseconds for Chromium's), on the same cores the page runs on: it is
 * sampled rarely ({@link MEMORY_EVERY}) while the page computes, and only for the processes
 * Chromium had when the run started.
 */
const memoryOf = (pids) => {
  let rss = 0;
  let pss = 0;
  for (const pid of pids) {
    try {
      rss += Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0);
      pss += Number(/Pss:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8'))?.[1] ?? 0);
    } catch {}
  }
  return { rss, pss };
};
const tree = () => {
  const pids = treePids();
  return { pids, ...cpuOf(pids), ...memoryOf(pids) };
};
/** Milliseconds between two samples of Chromium's memory while the page computes. */
const MEMORY_EVERY = 1000;
let peakKb = 0;
let peakPss = 0;
await page.goto(server.url);
// From the file's choice on as well: the page starts its workers once the file is ready, before
// Evaluate, so their start-up is not in the run's own CPU.
const chosen = cpuOf(treePids());
await page.setInputFiles('#files', file);
await page.waitForFunction(() => document.body.dataset.state === 'ready', undefined, { timeout: 120_000 });
await page.fill('#threads', String(workers));
// The run's time is taken in the page, from the click on Evaluate to the result shown (the state
// `done` or `error`, set once the result's text is in place), so polling from here does not add to it.
await page.evaluate(() => {
  const times = {};
  window.__benchTimes = times;
  document.querySelector('#start').addEventListener(
    'click',
    () => {
      times.start = performance.now();
    },
    { capture: true, once: true },
  );
  new MutationObserver(() => {
    const state = document.body.dataset.state;
    if (state === 'done' || state === 'error') times.end ??= performance.now();
  }).observe(document.body, { attributes: true, attributeFilter: ['data-state'] });
});
/**
 * CPU seconds of each thread of Chromium's processes, by process type and thread name (with
 * `BENCH_THREADS=1`): where the page's CPU goes (its workers, the browser's IO thread and pool
 * that move the `File`'s bytes, the page's own thread).
 */
const threadCpu = (pids) => {
  const cpu = new Map();
  for (const pid of pids) {
    try {
      const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
      const type =
        (/--type=([a-z-]+)/.exec(cmd)?.[1] ?? 'browser') + (cmd.includes('top-chrome') ? ' (UI)' : '');
      for (const tid of readdirSync(`/proc/${pid}/task`)) {
        const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
        const name = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
        const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
        const key = `${type} ${pid} ${name}`;
        cpu.set(key, (cpu.get(key) ?? 0) + (Number(fields[11]) + Number(fields[12])) / 100);
      }
    } catch {}
  }
  return cpu;
};
const byThread = process.env.BENCH_THREADS === '1';
const threadsBefore = byThread ? threadCpu(treePids()) : new Map();
const before = tree();
const sampler = setInterval(() => {
  const now = memoryOf(before.pids);
  peakKb = Math.max(peakKb, now.rss);
  peakPss = Math.max(peakPss, now.pss);
}, MEMORY_EVERY);
await page.click('#start');
await page.waitForFunction(() => window.__benchTimes.end !== undefined, undefined, {
  timeout: 1_800_000,
  polling: 50,
});
clearInterval(sampler);
const times = await page.evaluate(() => window.__benchTimes);
const webSeconds = (times.end - times.start) / 1000;
const after = { ...cpuOf(treePids()), ...memoryOf(before.pids) };
peakKb = Math.max(peakKb, after.rss);
peakPss = Math.max(peakPss, after.pss);
const webCpu = after.cpu - before.cpu;
// Headless Chromium's own UI (its omnibox popup's renderer) is busy even on an idle page (~0.1 s
// of CPU a second here): counted in Chromium's CPU, but none of it is the page's.
const uiCpu = after.uiCpu - before.uiCpu;
const fromChoice = after.cpu - after.uiCpu - (chosen.cpu - chosen.uiCpu);
const threadsAfter = byThread ? threadCpu(treePids()) : new Map();
const state = await page.evaluate(() => document.body.dataset.state);
await browser.close();
await server.close();

const mb = bytes / 1e6;
console.log(`file ${file} (${mb.toFixed(0)} MB), cross-entropy by epoch`);
console.log(
  `cli:    ${cliSeconds.toFixed(2)} s, ${(mb / cliSeconds).toFixed(0)} MB/s (whole process), ${cliCpu.toFixed(2)} s CPU`,
);
console.log(
  `web:    ${webSeconds.toFixed(2)} s, ${(mb / webSeconds).toFixed(0)} MB/s (${workers} workers, ${state}), ${webCpu.toFixed(2)} s CPU (Chromium's processes; ${uiCpu.toFixed(2)} s of it its UI's renderer, not the page's; the page's from choosing the file: ${fromChoice.toFixed(2)} s)`,
);
console.log(
  `Chromium's peak memory while computing (sampled every ${MEMORY_EVERY} ms and at the end): resident ${(peakKb / 1024).toFixed(0)} MiB (idle ${(before.rss / 1024).toFixed(0)}), proportional ${(peakPss / 1024).toFixed(0)} MiB (idle ${(before.pss / 1024).toFixed(0)})`,
);
for (const [thread, seconds] of [...threadsAfter].sort((a, b) => b[1] - a[1])) {
  const used = seconds - (threadsBefore.get(thread) ?? 0);
  if (used >= 0.02) console.log(`  ${thread.padEnd(48)} ${used.toFixed(2)} s CPU`);
}
console.log(`web/cli throughput: ${((cliSeconds / webSeconds) * 100).toFixed(0)}%`);
