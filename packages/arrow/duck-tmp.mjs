import { DuckDBInstance } from '@duckdb/node-api';
const db = await DuckDBInstance.create(':memory:', { threads: '2' });
const c = await db.connect();
for (const f of process.argv.slice(2)) {
  const t = performance.now();
  const r = await c.runAndReadAll(`SELECT sum(list_sum(logits)) FROM '${f}'`);
  console.log(f, ((performance.now() - t) / 1000).toFixed(2), 's', r.getRows()[0][0]);
}
