// The client side of the HTTP import bench: generate N small entries, validate each
// through the KV client (as an import does) and stream them into the HTTP backend's bulk
// writer, a few writes outstanding. Prints one JSON line: {entries, ms, unsuccessful}.
// Used until `kvadm import` exists in this build; then the bench runs the command instead.
import { HttpBackend } from '../dist/lib/backends/http.js';
import { KV } from '../dist/lib/kv.js';

const [url, namespace, countText, token] = process.argv.slice(2);
const count = Number(countText);
const backend = new HttpBackend({
  url,
  token,
  ...(process.env.BENCH_BATCH ? { bulkBatchItems: Number(process.env.BENCH_BATCH) } : {}),
  ...(process.env.BENCH_CONCURRENCY ? { bulkConcurrency: Number(process.env.BENCH_CONCURRENCY) } : {}),
});
const kv = new KV(namespace, { backend });
const start = process.hrtime.bigint();
const writer = await backend.bulkWriter(namespace);
const CHUNK = Number(process.env.BENCH_CHUNK ?? 20_000);
const WINDOW = Number(process.env.BENCH_WINDOW ?? 2);
const outstanding = [];
let unsuccessful = 0;
let batch = [];
for (let i = 0; i < count; i++) {
  batch.push(await kv.prepareEntry(`key:${String(i).padStart(8, '0')}`, `{"id":${i},"name":"user ${i}","active":true}`));
  if (batch.length === CHUNK || i === count - 1) {
    outstanding.push(writer.write(batch));
    batch = [];
    if (outstanding.length >= WINDOW) unsuccessful += (await outstanding.shift()).unsuccessfulKeys.length;
  }
}
for (const pending of outstanding) unsuccessful += (await pending).unsuccessfulKeys.length;
await writer.commit();
const ms = Number(process.hrtime.bigint() - start) / 1e6;
await backend.close();
console.log(JSON.stringify({ entries: count, ms, unsuccessful }));
