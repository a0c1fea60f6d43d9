/**
 * Start-up and run timeline marks for the threaded reader and the command line, printed to stderr
 * only when the environment has `LOSSFLOW_TRACE=1`: one line per mark, `[trace <ms> ms t<thread>
 * cpu <ms> ms] <what>`: milliseconds since the process started, on one clock for every thread, and
 * the CPU time the process (all its threads) has used so far. Why: where a run's fixed cost goes
 * (loading modules, starting workers, setting them up) and how busy each thread is cannot be read
 * from a CPU profile, whose own flags change start-up (see the arrow README).
 */
import { writeSync } from 'node:fs';
import { threadId } from 'node:worker_threads';

const env = process.env;

/** Whether marks are printed (`LOSSFLOW_TRACE=1`), read once as the module loads. */
export const tracing = env.LOSSFLOW_TRACE === '1';

/**
 * The process's start on the clock every thread shares: the main thread's `timeOrigin`, handed to
 * the workers in their copy of the environment (set before any starts, as this module loads with
 * the first one started).
 */
const ORIGIN_KEY = 'LOSSFLOW_TRACE_ORIGIN';
if (tracing && threadId === 0) env[ORIGIN_KEY] = String(performance.timeOrigin);
const origin = tracing ? Number(env[ORIGIN_KEY] ?? performance.timeOrigin) : 0;

/**
 * Milliseconds since the process started, on the clock every thread shares.
 *
 * @example
 * const t = traceNow(); work(); busy += traceNow() - t;
 */
export function traceNow(): number {
  return performance.timeOrigin + performance.now() - origin;
}

/**
 * Prints a mark when tracing (synchronously, so a worker's lines are never held back behind its
 * busy event loop); nothing otherwise.
 *
 * @example
 * traceMark('modules loaded');
 */
export function traceMark(what: string): void {
  if (!tracing) return;
  // The process's CPU time (every thread's): wall times alone mislead on a busy machine.
  const { user, system } = process.cpuUsage();
  const line = `[trace ${traceNow().toFixed(1)} ms t${threadId} cpu ${((user + system) / 1000).toFixed(0)} ms] ${what}\n`;
  try {
    writeSync(2, line);
  } catch {
    // A closed stderr has nowhere to report to; the run goes on.
  }
}
