// The processes the benchmarks start and what they read of them, from /proc only (cheap: no page
// tables).
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

/** The fields of a /proc/…/stat line after the command's name (`fields[0]` is the state). */
function statFields(path) {
  const stat = readFileSync(path, 'utf8');
  return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
}

/** CPU seconds (user + system) of this process's waited-for children (a finished `lossflow eval`). */
function childCpu() {
  const fields = statFields('/proc/self/stat');
  return (Number(fields[13]) + Number(fields[14])) / 100;
}

/** The pids of the Chromium started with `marker` on its command line: its browser process and every descendant. */
export function treePids(marker) {
  const parent = new Map();
  let root = -1;
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      parent.set(Number(name), Number(statFields(`/proc/${name}/stat`)[1]));
      const cmd = readFileSync(`/proc/${name}/cmdline`, 'utf8');
      if (cmd.includes(marker) && !cmd.includes('--type=')) root = Number(name);
    } catch {}
  }
  const inTree = (pid) => pid === root || (parent.has(pid) && pid > 1 && inTree(parent.get(pid)));
  return [...parent.keys()].filter(inTree);
}

/**
 * CPU seconds of the processes `pids` (threads that ended included), and of those that are
 * headless Chromium's own UI (its omnibox popup's renderer, busy on an idle page too: none of
 * it is the page's).
 */
export function cpuOf(pids) {
  let cpu = 0;
  let uiCpu = 0;
  for (const pid of pids) {
    try {
      const ui = readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('--top-chrome-webui');
      const fields = statFields(`/proc/${pid}/stat`);
      const seconds = (Number(fields[11]) + Number(fields[12])) / 100;
      cpu += seconds;
      if (ui) uiCpu += seconds;
    } catch {}
  }
  return { cpu, uiCpu };
}

/**
 * Runs `lossflow eval FILE --by epoch --format json` with the CLI bundle `cli` and the page's
 * kernels (WebAssembly SIMD, so both compute the same bits): its wall and CPU seconds.
 */
export function timeCliEval(cli, file) {
  const cpu = childCpu();
  const started = performance.now();
  execFileSync(process.execPath, [cli, 'eval', file, '--by', 'epoch', '--format', 'json'], {
    env: { ...process.env, LOSSFLOW_KERNELS: 'wasm' },
    maxBuffer: 64 << 20,
  });
  return { seconds: (performance.now() - started) / 1000, cpu: childCpu() - cpu };
}
