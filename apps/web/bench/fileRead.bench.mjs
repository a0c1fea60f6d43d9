// The page's ceiling (a benchmark, not a test): how fast Chromium hands a `File`'s bytes to Web
// Workers that only read them (BYOB streams of slices, as the page's workers read an Arrow IPC
// stream; no computing), beside `lossflow eval` computing cross-entropy over the same file.
// node bench/fileRead.bench.mjs [FILE] [WORKERS] [ROUNDS]
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { serveStatic } from '../scripts/staticServer.mjs';
import { cpuOf, timeCliEval, treePids } from './benchProcesses.mjs';

const file = process.argv[2] ?? '/tmp/lossflow-bench/e2e/train-2m-100-b8192.arrows';
const workers = Number(process.argv[3] ?? Math.min(8, availableParallelism()));
const rounds = Number(process.argv[4] ?? 3);
const bytes = statSync(file).size;
const cli = fileURLToPath(new URL('../../cli/bundle/bin.js', import.meta.url));
/** Bytes a worker asks its stream for at a time (the page's windows hand out up to 16 MiB). */
const REQUEST_BYTES = 4 * 1024 * 1024;

// A bare page: each worker reads its share of the file through one BYOB stream into one buffer.
const site = mkdtempSync(join(tmpdir(), 'lossflow-read-bench-'));
writeFileSync(
  join(site, 'index.html'),
  `<!doctype html><input type="file" id="file"><script>
window.readAll = async (workers, request) => {
  const file = document.getElementById('file').files[0];
  const share = Math.ceil(file.size / workers);
  const started = performance.now();
  await Promise.all(Array.from({ length: workers }, (_, i) => new Promise((resolve) => {
    const worker = new Worker('worker.js');
    worker.onmessage = () => { worker.terminate(); resolve(); };
    worker.postMessage({ file, start: i * share, end: Math.min(file.size, (i + 1) * share), request });
  })));
  return performance.now() - started;
};
</script>`,
);
writeFileSync(
  join(site, 'worker.js'),
  `onmessage = async ({ data: { file, start, end, request } }) => {
  const reader = file.slice(start, end).stream().getReader({ mode: 'byob' });
  let buffer = new ArrayBuffer(request);
  for (;;) {
    const { done, value } = await reader.read(new Uint8Array(buffer));
    if (done) break;
    buffer = value.buffer;
  }
  postMessage(0);
};`,
);

const server = await serveStatic(site);
const marker = `--lossflow-read-bench=${process.pid}`;
const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: ['--no-sandbox', '--headless', marker],
});
const chromiumCpu = () => cpuOf(treePids(marker)).cpu;
const page = await browser.newPage();
await page.goto(server.url);
await page.setInputFiles('#file', file);
const mb = bytes / 1e6;
console.log(
  `file ${file} (${mb.toFixed(0)} MB); Chromium's workers only read it, lossflow eval computes cross-entropy`,
);
for (let round = 1; round <= rounds; round++) {
  const { seconds: cliSeconds, cpu: cliCpu } = timeCliEval(cli, file);
  const before = chromiumCpu();
  const readSeconds =
    (await page.evaluate(([w, r]) => window.readAll(w, r), [workers, REQUEST_BYTES])) / 1000;
  const readCpu = chromiumCpu() - before;
  console.log(
    `round ${round}: read ${readSeconds.toFixed(2)} s, ${(mb / readSeconds).toFixed(0)} MB/s (${workers} workers), ${readCpu.toFixed(2)} s CPU; cli ${cliSeconds.toFixed(2)} s, ${(mb / cliSeconds).toFixed(0)} MB/s, ${cliCpu.toFixed(2)} s CPU; read alone ${((cliSeconds / readSeconds) * 100).toFixed(0)}% of the CLI's throughput (load ${readFileSync('/proc/loadavg', 'utf8').split(' ')[0]})`,
  );
}
await browser.close();
await server.close();
rmSync(site, { recursive: true, force: true });
