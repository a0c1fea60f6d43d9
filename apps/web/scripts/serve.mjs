// `pnpm web`: serves the built page (apps/web/dist) on 127.0.0.1 and prints its URL.
import { fileURLToPath } from 'node:url';
import { serveStatic } from './staticServer.mjs';

const port = Number(process.env.PORT ?? 5178);
const { url } = await serveStatic(fileURLToPath(new URL('../dist/', import.meta.url)), port);
console.log(`lossflow web: ${url}  (Ctrl-C stops it; the page reads files locally, nothing is uploaded)`);
