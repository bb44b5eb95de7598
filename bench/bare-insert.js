#!/usr/bin/env node
// The baseline for the import bench: the same rows as bench/bulk-data.js generates, inserted
// with a bare better-sqlite3 prepared INSERT in one transaction, into a table with the local
// store's schema and pragmas. Rows are built before the clock starts; commit and close (which
// checkpoints the WAL, as kvadm's does) are timed.
// Usage: node bench/bare-insert.js COUNT DB_FILE [single|multi] → prints JSON {ms}.
import Database from 'better-sqlite3';
import { BULK_INSERT_ROWS, MIGRATIONS, SQL, multiRowPut } from '../dist/lib/backends/local-sql.js';
import { row } from './bulk-data.js';

const count = Number(process.argv[2]);
const file = process.argv[3];
const mode = process.argv[4] ?? 'single';
const expiration = Math.floor(Date.now() / 1000) + 30 * 86_400;
const rows = new Array(count);
for (let i = 0; i < count; i++) {
  const [key, value, exp, metadata] = row(i, expiration);
  rows[i] = [key, Buffer.from(value), exp, metadata];
}
const db = new Database(file);
db.pragma('journal_mode = WAL');
db.pragma('synchronous = NORMAL');
for (const migration of MIGRATIONS) db.exec(migration);
const start = process.hrtime.bigint();
db.prepare('BEGIN IMMEDIATE').run();
if (mode === 'multi') {
  const insertMany = db.prepare(multiRowPut(BULK_INSERT_ROWS));
  const single = db.prepare(SQL.put);
  const args = new Array(BULK_INSERT_ROWS * 4);
  let i = 0;
  for (; i + BULK_INSERT_ROWS <= count; i += BULK_INSERT_ROWS) {
    for (let j = 0; j < BULK_INSERT_ROWS; j++) {
      const r = rows[i + j];
      args[j * 4] = r[0];
      args[j * 4 + 1] = r[1];
      args[j * 4 + 2] = r[2];
      args[j * 4 + 3] = r[3];
    }
    insertMany.run(args);
  }
  for (; i < count; i++) single.run(...rows[i]);
} else {
  const insert = db.prepare(SQL.put);
  for (const r of rows) insert.run(r[0], r[1], r[2], r[3]);
}
db.prepare('COMMIT').run();
db.close();
console.log(JSON.stringify({ ms: Number(process.hrtime.bigint() - start) / 1e6 }));
