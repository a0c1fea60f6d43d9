import { crossEntropy, fromFile, reduceGroups } from '@lossflow/rx';
import { lastValueFrom, toArray } from 'rxjs';

const [file, threads, by] = process.argv.slice(2);
const t0 = performance.now();
let peak = 0;
const timer = setInterval(() => {
  peak = Math.max(peak, process.memoryUsage().rss);
}, 5);
const groups = await lastValueFrom(
  fromFile(file, { threads: Number(threads) }).pipe(
    crossEntropy({ input: 'logits', by: by === 'by' ? 'key' : undefined }),
    ...(by === 'by' ? [reduceGroups('mean'), toArray()] : []),
  ),
);
clearInterval(timer);
peak = Math.max(peak, process.memoryUsage().rss);
console.log(
  JSON.stringify({
    file,
    threads,
    ms: Math.round(performance.now() - t0),
    peakMB: Math.round(peak / 1e6),
    groups: by === 'by' ? groups.map((g) => [g.key, g.value, g.rows]) : groups,
  }),
);
