/**
 * The SQL of the local store, as named constants. One SQLite file per namespace
 * (so deleting a namespace frees its space at once); a key's expiry is absolute
 * unix seconds. Keys are TEXT compared with SQLite's BINARY collation, which is
 * memcmp over UTF-8: the byte order docs/PROTOCOL.md asks listings to follow.
 *
 * local.ts reads the rows of the entry, listing and join queries raw (as arrays): their
 * columns are in the order its row types (EntryRow, ListRow, JoinedRow) name. Values are read
 * as `CAST(value AS BLOB)` (or a blob of several): a row another tool wrote with a TEXT value
 * comes back as its UTF-8 bytes, like every other value, not as a string.
 */

/** Applied in order; PRAGMA user_version records how many ran. */
export const MIGRATIONS: readonly string[] = [
  `CREATE TABLE IF NOT EXISTS kv (
     key TEXT PRIMARY KEY NOT NULL,
     value BLOB NOT NULL,
     expiration INTEGER,
     metadata TEXT
   ) WITHOUT ROWID;
   CREATE INDEX IF NOT EXISTS kv_expiration ON kv(expiration) WHERE expiration IS NOT NULL;`,
];

/** Rows in one multi-row INSERT of a bulk write (4 parameters each, far below SQLite's 32766). */
export const BULK_INSERT_ROWS = 100;

/** `INSERT OR REPLACE ... VALUES (?,?,?,?), ...` for `rows` rows: rows apply in order, so the last duplicate wins. */
export function multiRowPut(rows: number): string {
  return `INSERT OR REPLACE INTO kv (key, value, expiration, metadata) VALUES ${Array.from({ length: rows }, () => '(?, ?, ?, ?)').join(', ')}`;
}

/**
 * One page of live keys in key order: parameters after (exclusive), the prefix as lower bound
 * (inclusive), with `bounded` its upper bound (exclusive; a prefix of U+10FFFF characters has
 * none), now, and the page size.
 */
function pageSql(columns: string, bounded: boolean): string {
  return `SELECT ${columns} FROM kv WHERE key > ? AND key >= ?${bounded ? ' AND key < ?' : ''} AND (expiration IS NULL OR expiration > ?) ORDER BY key LIMIT ?`;
}

export const SQL = {
  get: 'SELECT key, CAST(value AS BLOB), expiration, metadata FROM kv WHERE key = ? AND (expiration IS NULL OR expiration > ?)',
  put: 'INSERT OR REPLACE INTO kv (key, value, expiration, metadata) VALUES (?, ?, ?, ?)',
  /**
   * Many keys in one statement: `?` is a JSON array of keys, one row per element with its
   * index in the array (key NULL where missing or expired). A third cheaper than one `get`
   * per key. No ORDER BY: the caller places rows by index, and sorting would make SQLite
   * copy every row, values included, through a temporary B-tree.
   */
  getMany: `SELECT wanted.key AS idx, kv.key AS key, CAST(kv.value AS BLOB) AS value, kv.expiration AS expiration, kv.metadata AS metadata
    FROM json_each(?) wanted LEFT JOIN kv ON kv.key = wanted.value AND (kv.expiration IS NULL OR kv.expiration > ?)`,
  deleteLive: 'DELETE FROM kv WHERE key = ? AND (expiration IS NULL OR expiration > ?)',
  deleteAny: 'DELETE FROM kv WHERE key = ?',
  /** A listing page: key, expiration, metadata (pageSql). */
  listBounded: pageSql('key, expiration, metadata', true),
  listUnbounded: pageSql('key, expiration, metadata', false),
  /**
   * A page's keys with their values' sizes in bytes, for LocalBackend.entryPage. The cast counts
   * bytes also for a TEXT value (a row another tool wrote), where length() alone would count
   * characters.
   */
  sizesBounded: pageSql('key, length(CAST(value AS BLOB)), expiration, metadata', true),
  sizesUnbounded: pageSql('key, length(CAST(value AS BLOB)), expiration, metadata', false),
  /**
   * The values of a page of sizes* (after, lower bound, its last key, now) joined in key order
   * into one blob. group_concat keeps a blob's bytes as they are (NUL and bytes that are not
   * UTF-8 included), and the cast gives them back as a blob instead of text.
   */
  joinedValues: `SELECT CAST(group_concat(value, '' ORDER BY key) AS BLOB) FROM kv
    WHERE key > ? AND key >= ? AND key <= ? AND (expiration IS NULL OR expiration > ?)`,
  /** Full rows, row by row (pageSql). */
  scanBounded: pageSql('key, CAST(value AS BLOB), expiration, metadata', true),
  scanUnbounded: pageSql('key, CAST(value AS BLOB), expiration, metadata', false),
  info: `SELECT count(*) AS keyCount,
            coalesce(sum(length(CAST(key AS BLOB)) + length(value) + coalesce(length(CAST(metadata AS BLOB)), 0)), 0) AS storedBytes
         FROM kv WHERE expiration IS NULL OR expiration > ?`,
  countExpired: 'SELECT count(*) AS n FROM kv WHERE expiration IS NOT NULL AND expiration <= ?',
  anyExpired: 'SELECT 1 FROM kv WHERE expiration IS NOT NULL AND expiration <= ? LIMIT 1',
  sweep: 'DELETE FROM kv WHERE key IN (SELECT key FROM kv WHERE expiration IS NOT NULL AND expiration <= ? LIMIT ?)',
  nextExpiration: 'SELECT min(expiration) AS next FROM kv WHERE expiration IS NOT NULL AND expiration > ?',
} as const;

/** The schema name another namespace's file is attached under for a join (LocalBackend.joinScan). */
export const JOINED_SCHEMA = 'kvadm_other';

const live = (alias: string) => `(${alias}.expiration IS NULL OR ${alias}.expiration > @now)`;
const keyRange = (alias: string, bounded: boolean) =>
  `${alias}.key > @after AND ${alias}.key >= @prefix${bounded ? ` AND ${alias}.key < @upper` : ''}`;

/** SRC's row (s) and DST's (d) differ in some way; a sync writes exactly those rows. */
const rowsDiffer = 'd.key IS NULL OR NOT (s.value IS d.value AND s.metadata IS d.metadata AND s.expiration IS d.expiration)';
/** SRC's live rows (the main database) joined with DST's live row of each key (the attached one). */
const joinedRows = (bounded: boolean) =>
  `FROM main.kv s LEFT JOIN ${JOINED_SCHEMA}.kv d ON d.key = s.key AND ${live('d')}
    WHERE ${keyRange('s', bounded)} AND ${live('s')}`;

/**
 * A page of SRC's live keys with DST's row for each, in key order. Where the rows differ, the
 * size in bytes of SRC's value (the cast counts bytes of a TEXT value too): a sync writes those
 * values, read afterwards as one blob (joinedChangedValuesSql), not one Buffer per row;
 * `valuesEqual` compares the values inside SQLite, so keys that match never have their values
 * copied out. `values` false: listings only.
 */
export function joinPageSql(bounded: boolean, values: boolean): string {
  return `SELECT s.key AS key,
      ${values ? `CASE WHEN ${rowsDiffer} THEN length(CAST(s.value AS BLOB)) END` : 'NULL'} AS valueSize,
      s.expiration AS expiration, s.metadata AS metadata,
      d.key IS NOT NULL AS inOther, d.expiration AS otherExpiration, d.metadata AS otherMetadata,
      ${values ? 's.value = d.value' : 'NULL'} AS valuesEqual
    ${joinedRows(bounded)}
    ORDER BY s.key LIMIT @limit`;
}

/**
 * SRC's values of the rows of a page of joinPageSql that differ (parameters as the page's, and
 * @through its last key), in key order: joined into one blob (as SQL.joinedValues), or with
 * `rowByRow` one row each (a page whose values are too large for one blob).
 */
export function joinedChangedValuesSql(bounded: boolean, rowByRow: boolean): string {
  const rows = `${joinedRows(bounded)} AND s.key <= @through AND (${rowsDiffer})`;
  return rowByRow
    ? `SELECT CAST(s.value AS BLOB) ${rows} ORDER BY s.key`
    : `SELECT CAST(group_concat(s.value, '' ORDER BY s.key) AS BLOB) ${rows}`;
}

/**
 * A page of the live keys only DST (the attached database) holds, in key order; with
 * `through`, only keys up to @through (the last key of a page of joinPageSql).
 */
export function otherOnlyPageSql(bounded: boolean, through: boolean): string {
  return `SELECT d.key AS key, d.expiration AS expiration, d.metadata AS metadata
    FROM ${JOINED_SCHEMA}.kv d
    WHERE ${keyRange('d', bounded)}${through ? ' AND d.key <= @through' : ''} AND ${live('d')}
      AND NOT EXISTS (SELECT 1 FROM main.kv s WHERE s.key = d.key AND ${live('s')})
    ORDER BY d.key LIMIT @limit`;
}

/**
 * How many live keys DST holds after @after (up to @through with `through`): compared with
 * how many of them a page of joinPageSql matched, it tells whether DST has keys SRC lacks
 * there, so otherOnlyPageSql (a probe of SRC per DST key) runs only where it finds some.
 */
export function otherCountSql(bounded: boolean, through: boolean): string {
  return `SELECT count(*) FROM ${JOINED_SCHEMA}.kv d
    WHERE ${keyRange('d', bounded)}${through ? ' AND d.key <= @through' : ''} AND ${live('d')}`;
}

/** Rows removed by the sweep that runs when a store is opened: bounded so opening stays fast. */
export const OPEN_SWEEP_MAX_ROWS = 1000;
