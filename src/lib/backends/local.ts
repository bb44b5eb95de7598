/**
 * The local backend: one SQLite file per namespace under `<dataDir>/namespaces/`.
 * WAL mode and a busy timeout let several kvadm processes write one store at once;
 * write transactions start IMMEDIATE so two writers never deadlock on a lock upgrade.
 * Expired rows are filtered on every read and removed by sweeps.
 *
 * Over 350 lines on purpose: it is one class, the Backend interface over SQLite, whose
 * methods share the connection cache and the transaction rules above; the SQL text and
 * migrations already live in local-sql.ts, and what is left is one short method per
 * interface method, plus joinScan (two namespaces' files joined in SQLite for diff and sync).
 */
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import type Database from 'better-sqlite3';
import {
  type Backend,
  type BulkWriteResult,
  type BulkWriter,
  type BulkWriterOptions,
  type Clock,
  type JoinScanOptions,
  type KeyInfo,
  type KeyPair,
  type ListOptions,
  type ListResult,
  type NamespaceInfo,
  type NamespaceInfoOptions,
  type StoredEntry,
  type SweepResult,
  systemClock,
} from './backend.js';
import {
  BULK_INSERT_ROWS,
  JOINED_SCHEMA,
  MIGRATIONS,
  OPEN_SWEEP_MAX_ROWS,
  SQL,
  joinPageSql,
  joinedChangedValuesSql,
  multiRowPut,
  otherCountSql,
  otherOnlyPageSql,
} from './local-sql.js';
import { DEFAULT_NAMESPACE, LIMITS } from '../limits.js';
import { KvadmError, ExitCode, NamespaceExistsError, NamespaceNotFoundError } from '../errors.js';
import { compareKeys, decodeCursor, encodeCursor, prefixUpperBound } from '../cursor.js';
// The leaf, not config/index.js: this file is on the fast path, which loads no module it does not use (see config/index.ts).
import { checkDataDir, makeFolder } from '../config/paths.js';
import { LARGE_VALUE_CHARS } from '../memory.js';
import { valueDigest } from '../digest.js';

type Db = Database.Database;
type Statement = Database.Statement;

/**
 * better-sqlite3 (a native addon) is loaded on the first open, not when this module is
 * imported: KV imports this module, and the http backend's users must not pay for SQLite.
 */
let sqlite: typeof Database | undefined;
function loadSqlite(): typeof Database {
  sqlite ??= createRequire(import.meta.url)('better-sqlite3') as typeof Database;
  return sqlite;
}

export interface LocalBackendOptions {
  /** The store's folder; namespaces live in `<dataDir>/namespaces/*.sqlite`. */
  dataDir: string;
  clock?: Clock;
  /** How long a writer waits for another process's lock before failing (ms). */
  busyTimeoutMs?: number;
  /**
   * Pages of WAL after which a commit also folds the WAL back into the database file
   * (SQLite's wal_autocheckpoint; default 1000). A long-running server raises it and calls
   * checkpoint() when idle: a bulk write then does not pay for the fold in its commits
   * (measured: 100 ms of 125 ms of commit time for 100,000 small entries in 10 requests).
   */
  walCheckpointPages?: number;
}

interface Connection {
  db: Db;
  statements: Map<string, Statement>;
  /** Rows the sweep on open removed and no sweep() has reported yet. */
  sweptOnOpen: number;
}

/**
 * Rows are read raw (arrays, not objects: one object per entry instead of two; measured
 * 1.7–3.8x faster to read 100,000 joined rows), in the column order of local-sql.ts.
 * An entry: key, value, expiration, metadata (SQL.get, getMany, scan*).
 */
type EntryRow = [string, Buffer, number | null, string | null];
/** A row of SQL.sizes*: an EntryRow with the value's size in bytes in place of the value. */
type SizedRow = [string, number, number | null, string | null];
/** A row of a digest listing (digestPage): a SizedRow with the value's digest in place of its size. */
type DigestRow = [string, string, number | null, string | null];
/** A listing row: key, expiration, metadata (SQL.list*, otherOnlyPageSql). */
type ListRow = [string, number | null, string | null];
/** Statements read raw (see EntryRow). */
const RAW = { raw: true } as const;

/**
 * A row of joinPageSql once its values are read: key, SRC's value (null when the rows are
 * identical), expiration, metadata, whether DST has the key, DST's expiration and metadata,
 * and whether the values are equal (null without values).
 */
type JoinedRow = [string, Buffer | null, number | null, string | null, 0 | 1, number | null, string | null, 0 | 1 | null];
/** A row of joinPageSql as read: a JoinedRow with the size of SRC's value in place of the value. */
type JoinedSizedRow = [string, number | null, number | null, string | null, 0 | 1, number | null, string | null, 0 | 1 | null];

const FILE_SUFFIX = '.sqlite';
/** Page cache while one large value is inserted (pages; 4 KiB each). */
const LARGE_VALUE_CACHE_PAGES = 100;
/**
 * Bytes of a namespace file that SQLite reads through a memory map instead of a read() per
 * page (it never writes through it). Measured on a join of two 100,000-key files (6.5 MB
 * each) on a fresh connection: 224–229 ms against 324–409 ms. Bounded, because mapped pages
 * count in the process's resident memory: a 1,000,000-key diff stays under its 250 MiB goal.
 */
const READ_MAP_BYTES = 32 * 1024 * 1024;
/**
 * Values a page of full rows reads as one blob at most (entryPage): the blob and SQLite's
 * copy of it are the page's memory, so a page of large values is read row by row instead.
 */
const PAGE_BLOB_MAX_BYTES = 4 * 1024 * 1024;
/**
 * Value bytes one page of a digest listing hashes at most (at least one value): a page of
 * 10,000 large values is cut short, with a cursor, instead of holding the server (and a sync's
 * writes waiting behind it) for seconds.
 */
const DIGEST_PAGE_MAX_BYTES = 64 * 1024 * 1024;
/** Every file SQLite may keep for one database in WAL mode. */
const SIDE_FILES = ['', '-wal', '-shm', '-journal'];

export class LocalBackend implements Backend {
  readonly kind = 'local';
  readonly location: string;
  private readonly namespacesDir: string;
  private readonly clock: Clock;
  private readonly busyTimeoutMs: number;
  private readonly walCheckpointPages: number | undefined;
  private readonly connections = new Map<string, Connection>();
  /** Connections of isolated bulk writers still open (closed at their end, or by close()). */
  private readonly isolated = new Set<Db>();

  constructor(options: LocalBackendOptions) {
    this.location = path.resolve(options.dataDir);
    this.namespacesDir = path.join(this.location, 'namespaces');
    this.clock = options.clock ?? systemClock;
    this.busyTimeoutMs = options.busyTimeoutMs ?? 30_000;
    this.walCheckpointPages = options.walCheckpointPages;
    // A file or an unwritable folder would otherwise read as "namespace not found" later.
    checkDataDir(this.location, this.namespacesDir);
  }

  private nowSeconds(): number {
    return Math.floor(this.clock() / 1000);
  }

  private fileOf(namespace: string): string {
    return path.join(this.namespacesDir, namespace + FILE_SUFFIX);
  }

  async listNamespaces(): Promise<string[]> {
    let names: string[] = [];
    try {
      names = fs
        .readdirSync(this.namespacesDir)
        .filter((file) => file.endsWith(FILE_SUFFIX))
        .map((file) => file.slice(0, -FILE_SUFFIX.length));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
    // The default namespace always exists: it is created on first use.
    if (!names.includes(DEFAULT_NAMESPACE)) names.push(DEFAULT_NAMESPACE);
    return names.sort(compareBytes);
  }

  async createNamespace(name: string): Promise<void> {
    // The default namespace always exists (namespaceExists, listNamespaces), even before its file does.
    if (name === DEFAULT_NAMESPACE || !this.createFile(name)) throw new NamespaceExistsError(name);
    this.connect(name);
  }

  async namespaceExists(name: string): Promise<boolean> {
    return name === DEFAULT_NAMESPACE || fs.existsSync(this.fileOf(name));
  }

  async namespaceInfo(name: string, options: NamespaceInfoOptions = {}): Promise<NamespaceInfo> {
    const now = this.nowSeconds();
    const totals = this.statement(name, SQL.info).get(now) as { keyCount: number; storedBytes: number };
    const expired = this.statement(name, SQL.countExpired).get(now) as { n: number };
    const info: NamespaceInfo = { name, keyCount: totals.keyCount, storedBytes: totals.storedBytes, expiredKeys: expired.n };
    return options.times ? { ...info, ...this.fileTimes(name) } : info;
  }

  /**
   * A namespace's times from its files (read after the statements above opened it, so the
   * default namespace's file exists). Writes land in the -wal file first, so the later of
   * the two modification times counts; an empty -wal is one a connection just opened (or a
   * checkpoint truncated, which wrote the main file too) and says nothing about writes.
   */
  private fileTimes(name: string): Pick<NamespaceInfo, 'createdAt' | 'lastModified'> {
    const file = this.fileOf(name);
    const main = fs.statSync(file, { throwIfNoEntry: false });
    if (!main) return { createdAt: null, lastModified: null };
    const wal = fs.statSync(`${file}-wal`, { throwIfNoEntry: false });
    const walWrittenMs = wal && wal.size > 0 ? wal.mtimeMs : 0;
    return {
      // Some file systems record no birth time (Node reports 0 then): unknown, not 1970.
      createdAt: main.birthtimeMs > 0 ? main.birthtime.toISOString() : null,
      lastModified: new Date(Math.max(main.mtimeMs, walWrittenMs)).toISOString(),
    };
  }

  async deleteNamespace(name: string): Promise<void> {
    if (!(await this.namespaceExists(name))) throw new NamespaceNotFoundError(name);
    this.disconnect(name);
    const file = this.fileOf(name);
    if (name !== DEFAULT_NAMESPACE && !fs.existsSync(file)) throw new NamespaceNotFoundError(name);
    for (const suffix of SIDE_FILES) fs.rmSync(file + suffix, { force: true });
  }

  async renameNamespace(from: string, to: string): Promise<void> {
    if (from === to) return;
    // Materialise the source (it may be the implicit default namespace), then fold its WAL
    // into the main file so one rename moves everything.
    const { db } = this.connect(from);
    db.pragma('wal_checkpoint(TRUNCATE)');
    this.disconnect(from);
    if (fs.existsSync(this.fileOf(to)) || to === DEFAULT_NAMESPACE) throw new NamespaceExistsError(to);
    try {
      // link() fails when the target exists: no check-then-act race with another process.
      fs.linkSync(this.fileOf(from), this.fileOf(to));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'EEXIST') throw new NamespaceExistsError(to);
      throw error;
    }
    for (const suffix of SIDE_FILES) fs.rmSync(this.fileOf(from) + suffix, { force: true });
  }

  async get(namespace: string, key: string): Promise<StoredEntry | null> {
    const row = this.statement(namespace, SQL.get, RAW).get(key, this.nowSeconds()) as EntryRow | undefined;
    return row ? entryOf(row) : null;
  }

  async getMany(namespace: string, keys: string[]): Promise<(StoredEntry | null)[]> {
    if (keys.length === 0) return [];
    const now = this.nowSeconds();
    // Each row carries its key's index in `keys` (rows come in no promised order); key null: missing.
    const rows = this.statement(namespace, SQL.getMany, RAW).all(JSON.stringify(keys), now) as ([number, ...EntryRow] | [number, null])[];
    const entries: (StoredEntry | null)[] = new Array(keys.length).fill(null);
    for (const row of rows) {
      if (row[1] !== null) {
        const [index, key, value, expiration, metadata] = row;
        entries[index] = { key, value, expiration, metadata };
      }
    }
    return entries;
  }

  async put(namespace: string, entry: StoredEntry): Promise<void> {
    this.statement(namespace, SQL.put).run(entry.key, entry.value, entry.expiration, entry.metadata);
  }

  async delete(namespace: string, key: string): Promise<boolean> {
    return (await this.deleteMany(namespace, [key])) > 0;
  }

  async deleteMany(namespace: string, keys: string[]): Promise<number> {
    // An expired row is removed too, but only a live one counts as deleted.
    const connection = this.connect(namespace);
    return connection.db.transaction(() => this.deleteRows(connection, keys)).immediate();
  }

  /** Delete `keys` in the caller's transaction; an expired row goes too, only a live one counts. */
  private deleteRows(connection: Connection, keys: string[]): number {
    const now = this.nowSeconds();
    const live = prepared(connection, SQL.deleteLive);
    const any = prepared(connection, SQL.deleteAny);
    let deleted = 0;
    for (const key of keys) {
      const changes = live.run(key, now).changes;
      if (changes === 0) any.run(key);
      deleted += changes;
    }
    return deleted;
  }

  async list(namespace: string, options: ListOptions): Promise<ListResult> {
    const limit = options.limit ?? LIMITS.listMaxLimit;
    const digest = Boolean(options.digest);
    const keys: KeyInfo[] = [];
    let last: string | undefined;
    let more = false;
    const add = (key: string, expiration: number | null, metadata: string | null): KeyInfo => {
      const info: KeyInfo = { name: key };
      if (expiration !== null) info.expiration = expiration;
      if (metadata !== null) info.metadata = JSON.parse(metadata);
      keys.push(info);
      last = key;
      return info;
    };
    if (digest) {
      const page = this.digestPage(namespace, options.prefix ?? '', options.cursor, limit);
      more = page.more;
      for (const [key, digest, expiration, metadata] of page.rows) add(key, expiration, metadata).digest = digest;
    } else {
      const rows = this.page(namespace, false, options.prefix ?? '', options.cursor, limit + 1) as ListRow[];
      more = rows.length > limit;
      for (let i = 0; i < rows.length && i < limit; i++) add(...(rows[i] as ListRow));
    }
    return more && last !== undefined ? { keys, list_complete: false, cursor: encodeCursor(last) } : { keys, list_complete: true };
  }

  async *scan(namespace: string, options: { prefix?: string; batchSize?: number } = {}): AsyncIterable<StoredEntry[]> {
    const batchSize = options.batchSize ?? 1000;
    let cursor: string | undefined;
    for (;;) {
      const rows = this.page(namespace, true, options.prefix ?? '', cursor, batchSize) as EntryRow[];
      if (rows.length === 0) return;
      yield rows.map(entryOf);
      if (rows.length < batchSize) return;
      cursor = encodeCursor((rows[rows.length - 1] as EntryRow)[0]);
    }
  }

  /** One page of raw rows (EntryRow with values, else ListRow) after `cursor`, under `prefix`, live only, in key order. */
  private page(namespace: string, withValues: boolean, prefix: string, cursor: string | undefined, limit: number): unknown[] {
    const { bounds, now } = this.pageBounds(prefix, cursor);
    if (withValues) return this.entryPage(this.connect(namespace), bounds, now, limit);
    return this.statement(namespace, bounds.length === 2 ? SQL.listUnbounded : SQL.listBounded, RAW).all(...bounds, now, limit);
  }

  /** The parameters of a page after `cursor` under `prefix` (see pageSql): after, prefix and its upper bound if any; now. */
  private pageBounds(prefix: string, cursor: string | undefined): { bounds: string[]; now: number } {
    const after = cursor === undefined || cursor === '' ? '' : decodeCursor(cursor);
    const upper = prefixUpperBound(prefix);
    return { bounds: upper === null ? [after, prefix] : [after, prefix, upper], now: this.nowSeconds() };
  }

  /**
   * Up to `limit` keys with their values' digests, and whether more follow. The values are read
   * and hashed a run of rows at a time, each run one blob of at most PAGE_BLOB_MAX_BYTES (or one
   * larger value alone), so a page of 10,000 keys (LIMITS.digestListMaxLimit) holds no more than
   * that in memory whatever its values weigh; and a page ends early, with a cursor, once it has
   * hashed DIGEST_PAGE_MAX_BYTES, so one request does not hold the server long. One read
   * transaction: every read sees the same rows.
   */
  private digestPage(namespace: string, prefix: string, cursor: string | undefined, limit: number): { rows: DigestRow[]; more: boolean } {
    const connection = this.connect(namespace);
    const { bounds, now } = this.pageBounds(prefix, cursor);
    return connection.db.transaction(() => {
      const sizes = bounds.length === 3 ? SQL.sizesBounded : SQL.sizesUnbounded;
      // One row more than the page: whether more follow.
      const rows = prepared(connection, sizes, RAW).all(...bounds, now, limit + 1) as SizedRow[];
      let count = 0;
      let hashed = 0;
      while (count < Math.min(limit, rows.length) && (count === 0 || hashed + (rows[count] as SizedRow)[1] <= DIGEST_PAGE_MAX_BYTES)) {
        hashed += (rows[count++] as SizedRow)[1];
      }
      const joined = prepared(connection, SQL.joinedValues, RAW);
      const digested = rows as unknown as DigestRow[];
      for (let start = 0; start < count; ) {
        let end = start + 1;
        let bytes = (rows[start] as SizedRow)[1];
        while (end < count && bytes + (rows[end] as SizedRow)[1] <= PAGE_BLOB_MAX_BYTES) bytes += (rows[end++] as SizedRow)[1];
        const run = rows.slice(start, end);
        const after = start === 0 ? bounds[0] : (rows[start - 1] as SizedRow)[0];
        const [blob] = joined.get(after, bounds[1], (run[run.length - 1] as SizedRow)[0], now) as [Buffer | null];
        viewsOfBlob(run, blob).forEach((row, i) => {
          (digested[start + i] as DigestRow)[1] = valueDigest(row[1] as Buffer);
        });
        start = end;
      }
      return { rows: digested.slice(0, count), more: rows.length > count };
    })();
  }

  /**
   * A page of full rows. Node makes a Buffer for each value read (about 1 µs each, more than the
   * rest of the row; a 100,000-key scan took 213 ms that way against 127 ms like this): so the
   * keys and value sizes are read first, then the page's values as one blob, which the rows get
   * views of (viewsOfBlob). A page whose values add up to more than PAGE_BLOB_MAX_BYTES is read
   * row by row. Both reads are one read transaction, so they see the same rows.
   */
  private entryPage(connection: Connection, bounds: string[], now: number, limit: number): EntryRow[] {
    const bounded = bounds.length === 3;
    return connection.db.transaction(() => {
      const rows = prepared(connection, bounded ? SQL.sizesBounded : SQL.sizesUnbounded, RAW).all(...bounds, now, limit) as SizedRow[];
      if (rows.length === 0) return [];
      if (sizesTotal(rows) > PAGE_BLOB_MAX_BYTES) {
        return prepared(connection, bounded ? SQL.scanBounded : SQL.scanUnbounded, RAW).all(...bounds, now, limit) as EntryRow[];
      }
      const [after, prefix] = bounds;
      const through = (rows[rows.length - 1] as SizedRow)[0];
      const [blob] = prepared(connection, SQL.joinedValues, RAW).get(after, prefix, through, now) as [Buffer | null];
      return viewsOfBlob(rows, blob) as unknown as EntryRow[];
    })();
  }

  joinScan(namespace: string, other: Backend, otherNamespace: string, options: JoinScanOptions): AsyncIterable<KeyPair[]> | null {
    if (!(other instanceof LocalBackend)) return null;
    const otherFile = other.fileOf(otherNamespace);
    // The same file on both sides, or a DST not created yet: the plain merge handles those.
    if (otherFile === this.fileOf(namespace) || !fs.existsSync(otherFile)) return null;
    return this.joinPages(namespace, otherFile, options);
  }

  /**
   * The join behind joinScan: DST's file attached to SRC's connection, SRC's keys read a
   * page at a time with DST's row for each (joinPageSql); the keys only DST holds are
   * looked for only in the key ranges where DST has more keys than the page matched (most
   * ranges of two similar namespaces have none), and merged in key order. A page (its rows, then
   * their values) is one read transaction, every other query its own statement: in WAL mode a
   * reader never blocks DST's writer (another connection, maybe in a transaction), and reads see
   * DST as last committed.
   */
  private async *joinPages(namespace: string, otherFile: string, options: JoinScanOptions): AsyncIterable<KeyPair[]> {
    const connection = this.connect(namespace);
    const { db } = connection;
    const batchSize = options.batchSize ?? 1000;
    const prefix = options.prefix ?? '';
    const upper = prefixUpperBound(prefix);
    const bounded = upper !== null;
    const bounds = bounded ? { prefix, upper } : { prefix };
    db.prepare(`ATTACH DATABASE ? AS ${JOINED_SCHEMA}`).run(otherFile);
    try {
      db.pragma(`${JOINED_SCHEMA}.mmap_size = ${READ_MAP_BYTES}`);
      const both = db.prepare(joinPageSql(bounded, options.values)).raw(true);
      const changedValues = {
        joined: db.prepare(joinedChangedValuesSql(bounded, false)).pluck(),
        rowByRow: db.prepare(joinedChangedValuesSql(bounded, true)).pluck(),
      };
      const count = { range: db.prepare(otherCountSql(bounded, true)).pluck(), tail: db.prepare(otherCountSql(bounded, false)).pluck() };
      const onlyOther = {
        range: db.prepare(otherOnlyPageSql(bounded, true)).raw(true),
        tail: db.prepare(otherOnlyPageSql(bounded, false)).raw(true),
      };
      /**
       * A page of joined rows, SRC's values of the rows that differ read as in entryPage: as one
       * blob the rows get views of (the blob holds only values a sync writes, so a view keeps
       * nothing else in memory), or row by row for a page of large values. One read transaction,
       * so both reads see the same rows of both files.
       */
      const readPage = db.transaction((after: string, now: number): JoinedRow[] => {
        const rows = both.all({ ...bounds, after, now, limit: batchSize }) as JoinedSizedRow[];
        const changed = rows.filter((row) => row[1] !== null);
        if (changed.length === 0) return rows as unknown as JoinedRow[];
        const through = (rows[rows.length - 1] as JoinedSizedRow)[0];
        const range = { ...bounds, after, now, through };
        const total = sizesTotal(changed);
        if (changed.length === rows.length && total <= PAGE_BLOB_MAX_BYTES) {
          // Every row differs: SRC's values of the range, without joining again (measured 30 against 60 ms per 100,000 rows).
          const [blob] = prepared(connection, SQL.joinedValues, RAW).get(after, bounds.prefix, through, now) as [Buffer | null];
          viewsOfBlob(rows, blob);
          return rows as unknown as JoinedRow[];
        }
        if (total > PAGE_BLOB_MAX_BYTES) {
          const values = changedValues.rowByRow.all(range) as Buffer[];
          if (values.length !== changed.length) {
            throw new Error(`a joined page read ${values.length} values for its ${changed.length} differing rows`);
          }
          changed.forEach((row, i) => {
            (row as unknown as JoinedRow)[1] = values[i] as Buffer;
          });
        } else {
          viewsOfBlob(changed, changedValues.joined.get(range) as Buffer | null);
        }
        return rows as unknown as JoinedRow[];
      });
      let after = '';
      let batch: KeyPair[] = [];
      for (;;) {
        // One clock reading for the page and its counts: a key expiring in between cannot unbalance them.
        const now = this.nowSeconds();
        const rows = readPage(after, now);
        // A short page is the last: its range runs to the end of the prefix.
        const through = rows.length === batchSize ? (rows[rows.length - 1] as JoinedRow)[0] : null;
        let matched = 0;
        for (const row of rows) matched += row[4];
        const range = through === null ? { ...bounds, after, now } : { ...bounds, after, through, now };
        const inOther = (through === null ? count.tail : count.range).get(range) as number;
        const otherRows =
          inOther > matched
            ? new PagedRows<ListRow>(
                (from) =>
                  (through === null ? onlyOther.tail : onlyOther.range).all({ ...range, after: from, limit: batchSize }) as ListRow[],
                after,
              )
            : null;
        let index = 0;
        for (;;) {
          const a = index < rows.length ? (rows[index] as JoinedRow) : null;
          const b = otherRows?.peek() ?? null;
          if (a === null && b === null) break;
          // No key is in both queries: the second holds only keys SRC lacks.
          if (a !== null && (b === null || compareKeys(a[0], b[0]) < 0)) {
            batch.push(joinedPair(a));
            index++;
          } else {
            const [key, expiration, metadata] = b as ListRow;
            batch.push({ key, src: null, dst: { key, value: null, expiration, metadata } });
            otherRows?.advance();
          }
          if (batch.length >= batchSize) {
            yield batch;
            batch = [];
          }
        }
        if (through === null) break;
        after = through;
      }
      if (batch.length > 0) yield batch;
    } finally {
      db.prepare(`DETACH DATABASE ${JOINED_SCHEMA}`).run();
    }
  }

  async bulkWriter(namespace: string, options: BulkWriterOptions = {}): Promise<BulkWriter> {
    // The shared connection first: opening it sweeps, which needs the write lock that an isolated
    // writer's transaction is about to hold (the sweep of a later open would wait for it).
    const shared = this.connect(namespace);
    const connection = options.isolated ? this.open(namespace) : shared;
    const { db } = connection;
    if (options.isolated) this.isolated.add(db);
    const insert = prepared(connection, SQL.put);
    // Multi-row INSERTs: one statement step for 100 rows roughly halves the time per row.
    const insertMany = prepared(connection, multiRowPut(BULK_INSERT_ROWS));
    const deleteRows = (keys: string[]) => this.deleteRows(connection, keys);
    const args: unknown[] = new Array(BULK_INSERT_ROWS * 4);
    // A large value's pages pass through SQLite's page cache (16 MiB here) on their way to the
    // WAL, on top of its two copies of the value (bound parameter, record): with a small cache
    // they are spilled early instead. Small entries keep the large cache (their B-tree pages).
    const insertLarge = (entry: StoredEntry): void => {
      const cacheSize = db.pragma('cache_size', { simple: true }) as number;
      db.pragma(`cache_size = ${LARGE_VALUE_CACHE_PAGES}`);
      try {
        insert.run(entry.key, entry.value, entry.expiration, entry.metadata);
      } finally {
        db.pragma(`cache_size = ${cacheSize}`);
      }
    };
    const end = (sql: 'COMMIT' | 'ROLLBACK'): void => {
      try {
        if (sql === 'COMMIT' || db.inTransaction) db.prepare(sql).run();
      } finally {
        if (options.isolated) {
          this.isolated.delete(db);
          closeDatabase(db);
        }
      }
    };
    // One IMMEDIATE transaction for the whole session: a crash or abort leaves nothing.
    try {
      db.prepare('BEGIN IMMEDIATE').run();
    } catch (error) {
      end('ROLLBACK');
      throw error;
    }
    let open = true;
    return {
      atomic: true,
      async write(entries: StoredEntry[]): Promise<BulkWriteResult> {
        let i = 0;
        // A batch with a large value goes row by row, so that value meets the small cache.
        const multiRow = !entries.some((entry) => entry.value.byteLength >= LARGE_VALUE_CHARS);
        for (; multiRow && i + BULK_INSERT_ROWS <= entries.length; i += BULK_INSERT_ROWS) {
          for (let j = 0; j < BULK_INSERT_ROWS; j++) {
            const entry = entries[i + j] as StoredEntry;
            const at = j * 4;
            args[at] = entry.key;
            args[at + 1] = entry.value;
            args[at + 2] = entry.expiration;
            args[at + 3] = entry.metadata;
          }
          insertMany.run(args);
        }
        for (; i < entries.length; i++) {
          const entry = entries[i] as StoredEntry;
          if (entry.value.byteLength >= LARGE_VALUE_CHARS) insertLarge(entry);
          else insert.run(entry.key, entry.value, entry.expiration, entry.metadata);
        }
        return { written: entries.length, unsuccessfulKeys: [] };
      },
      async remove(keys: string[]): Promise<number> {
        // As deleteMany, but inside the session's transaction.
        return deleteRows(keys);
      },
      async commit(): Promise<void> {
        if (!open) return;
        open = false;
        end('COMMIT');
      },
      async abort(): Promise<void> {
        if (!open) return;
        open = false;
        end('ROLLBACK');
      },
    };
  }

  async sweep(namespace: string, maxRows?: number): Promise<SweepResult> {
    const connection = this.connect(namespace);
    const { db } = connection;
    // Opening the store may have swept already (the CLI opens, then sweeps): count those rows too.
    const deleted = connection.sweptOnOpen + sweepExpired(db, this.nowSeconds(), maxRows ?? Number.MAX_SAFE_INTEGER);
    connection.sweptOnOpen = 0;
    const next = this.statement(namespace, SQL.nextExpiration).get(this.nowSeconds()) as { next: number | null };
    return { deleted, nextExpiration: next.next };
  }

  async close(): Promise<void> {
    for (const name of [...this.connections.keys()]) this.disconnect(name);
    for (const db of this.isolated) closeDatabase(db);
    this.isolated.clear();
  }

  /** Fold every open namespace's WAL into its file, without waiting for readers (PASSIVE). */
  async checkpoint(): Promise<void> {
    for (const { db } of this.connections.values()) {
      // A bulk writer's open transaction: its commit comes later, and the next idle checkpoint with it.
      if (!db.inTransaction) db.pragma('wal_checkpoint(PASSIVE)');
    }
  }

  /** Create the namespace file; false when it exists already. */
  private createFile(name: string): boolean {
    try {
      makeFolder(this.namespacesDir, this.location);
      // 'wx' is atomic: of several processes creating one namespace, exactly one wins.
      fs.closeSync(fs.openSync(this.fileOf(name), 'wx'));
      return true;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
      if (error instanceof KvadmError) throw error;
      // A --data-dir that is a file, or a folder we may not write: the user's to fix, not a bug.
      throw storeError(this.fileOf(name), error);
    }
  }

  /** The namespace's shared connection, opened on first use. */
  private connect(namespace: string): Connection {
    const cached = this.connections.get(namespace);
    if (cached) return cached;
    const connection = this.open(namespace);
    this.connections.set(namespace, connection);
    return connection;
  }

  /** A new connection to the namespace's file (the default namespace's file is made on first use). */
  private open(namespace: string): Connection {
    const file = this.fileOf(namespace);
    if (!fs.existsSync(file)) {
      if (namespace !== DEFAULT_NAMESPACE) throw new NamespaceNotFoundError(namespace);
      this.createFile(namespace);
    }
    let db: Db;
    try {
      db = new (loadSqlite())(file, { fileMustExist: true, timeout: this.busyTimeoutMs });
    } catch (error) {
      if ((error as { code?: string }).code === 'SQLITE_CANTOPEN' && !fs.existsSync(file)) {
        throw new NamespaceNotFoundError(namespace);
      }
      throw storeError(file, error);
    }
    let sweptOnOpen: number;
    try {
      sweptOnOpen = prepareDatabase(db, this.nowSeconds(), {
        busyTimeoutMs: this.busyTimeoutMs,
        walCheckpointPages: this.walCheckpointPages,
      });
    } catch (error) {
      db.close();
      throw storeError(file, error);
    }
    return { db, statements: new Map(), sweptOnOpen };
  }

  private disconnect(namespace: string): void {
    const connection = this.connections.get(namespace);
    if (!connection) return;
    this.connections.delete(namespace);
    closeDatabase(connection.db);
  }

  /** A prepared statement of the namespace's shared connection. */
  private statement(namespace: string, sql: string, options: { raw?: boolean } = {}): Statement {
    return prepared(this.connect(namespace), sql, options);
  }
}

/** A prepared statement of `connection`, cached by its text (and raw mode: it is the statement's state). */
function prepared(connection: Connection, sql: string, options: { raw?: boolean } = {}): Statement {
  const cacheKey = options.raw ? `raw:${sql}` : sql;
  let statement = connection.statements.get(cacheKey);
  if (!statement) {
    statement = connection.db.prepare(sql);
    if (options.raw) statement.raw(true);
    connection.statements.set(cacheKey, statement);
  }
  return statement;
}

/** Pragmas, migrations and a bounded sweep: what every connection does once. Returns the rows swept. */
function prepareDatabase(db: Db, now: number, options: { busyTimeoutMs: number; walCheckpointPages: number | undefined }): number {
  const { busyTimeoutMs, walCheckpointPages } = options;
  // WAL lets readers run beside a writer; NORMAL sync keeps every committed transaction
  // across a process crash (kill -9), losing at most the last ones on power loss.
  if ((db.pragma('journal_mode', { simple: true }) as string).toLowerCase() !== 'wal') {
    db.pragma('journal_mode = WAL');
  }
  db.pragma('synchronous = NORMAL');
  db.pragma(`mmap_size = ${READ_MAP_BYTES}`);
  if (walCheckpointPages !== undefined) db.pragma(`wal_autocheckpoint = ${Math.floor(walCheckpointPages)}`);
  const version = db.pragma('user_version', { simple: true }) as number;
  if (version < MIGRATIONS.length) {
    db.transaction(() => {
      // Re-read inside the write lock: another process may have migrated meanwhile.
      const current = db.pragma('user_version', { simple: true }) as number;
      for (let i = current; i < MIGRATIONS.length; i++) db.exec(MIGRATIONS[i] as string);
      db.pragma(`user_version = ${MIGRATIONS.length}`);
    }).immediate();
  }
  // Opening is for reading too: while another writer holds the lock, the sweep waits for a later open.
  db.pragma('busy_timeout = 0');
  try {
    return sweepExpired(db, now, OPEN_SWEEP_MAX_ROWS);
  } catch (error) {
    if ((error as { code?: string }).code === 'SQLITE_BUSY') return 0;
    throw error;
  } finally {
    db.pragma(`busy_timeout = ${busyTimeoutMs}`);
  }
}

/** Close `db`, rolling back a transaction left open (an abandoned bulk writer's). */
function closeDatabase(db: Db): void {
  if (db.inTransaction) db.prepare('ROLLBACK').run();
  db.close();
}

/** Delete up to `maxRows` expired rows; a cheap indexed probe first, so a clean store pays no write. */
function sweepExpired(db: Db, now: number, maxRows: number): number {
  if (!db.prepare(SQL.anyExpired).get(now)) return 0;
  return db.prepare(SQL.sweep).run(now, maxRows).changes;
}

/** Rows of one keyset-paged query (raw: the key first), read a page at a time. */
class PagedRows<Row extends [string, ...unknown[]]> {
  private rows: Row[] = [];
  private index = 0;
  private finished = false;

  constructor(
    private readonly readPage: (after: string) => Row[],
    /** Rows come after this key. */
    private after = '',
  ) {}

  peek(): Row | null {
    if (this.index >= this.rows.length) {
      if (this.finished) return null;
      this.rows = this.readPage(this.after);
      this.index = 0;
      const last = this.rows[this.rows.length - 1];
      if (last === undefined) {
        this.finished = true;
        return null;
      }
      this.after = last[0];
    }
    return this.rows[this.index] as Row;
  }

  advance(): void {
    this.index++;
  }
}

function joinedPair(row: JoinedRow): KeyPair {
  const [key, value, expiration, metadata, inOther, otherExpiration, otherMetadata, valuesEqual] = row;
  const src = { key, value, expiration, metadata };
  if (!inOther) return { key, src, dst: null };
  const dst = { key, value: null, expiration: otherExpiration, metadata: otherMetadata };
  return valuesEqual === null ? { key, src, dst } : { key, src, dst, valuesEqual: valuesEqual === 1 };
}

/** The bytes of the values of `rows` (the second column of each: a size, or null for no value). */
function sizesTotal(rows: Array<[string, number | null, ...unknown[]]>): number {
  let total = 0;
  for (const row of rows) total += row[1] ?? 0;
  return total;
}

/**
 * Give each of `rows` with a size in its second column a view of its value in `blob`: the values
 * of those rows joined in order (SQL.joinedValues, joinedChangedValuesSql). Rows change in place.
 */
function viewsOfBlob(
  rows: Array<[string, number | null, ...unknown[]]>,
  blob: Buffer | null,
): Array<[string, Buffer | null, ...unknown[]]> {
  const total = sizesTotal(rows);
  if ((blob?.length ?? 0) !== total) {
    throw new Error(`a page of ${rows.length} values read ${blob?.length ?? 0} bytes where their sizes add up to ${total}`);
  }
  const values = blob ?? Buffer.alloc(0);
  const placed = rows as unknown as Array<[string, Buffer | null, ...unknown[]]>;
  let offset = 0;
  for (const row of rows) {
    const size = row[1];
    if (size === null) continue;
    (row as unknown as [string, Buffer])[1] = values.subarray(offset, offset + size);
    offset += size;
  }
  return placed;
}

function entryOf([key, value, expiration, metadata]: EntryRow): StoredEntry {
  return { key, value, expiration, metadata };
}

function compareBytes(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a), Buffer.from(b));
}

function storeError(file: string, cause: unknown): KvadmError {
  const message = (cause as Error).message;
  return new KvadmError('STORE_UNREADABLE', `cannot open the local store file ${file}: ${message}`, {
    exitCode: ExitCode.failure,
    hint: 'check the file permissions and the --data-dir setting; run `kvadm ns list` to see the namespaces',
    details: { file },
    cause,
  });
}
