/**
 * What `kv list` prints: every key by default (following cursors page by page, so memory
 * stays bounded however many keys there are), or one page when a page is asked for.
 * A script that pipes a listing into a delete must never get the first 1,000 keys and
 * exit 0; wrangler lists every key too.
 */
import { ExitCode, KvadmError, displayKey } from './errors.js';
import { type KeySeparator, fitsNullSeparated, keyLine, needsQuoting } from './key-lines.js';
import type { KV, KeyInfo } from './kv.js';
import { LIMITS } from './limits.js';

export interface KeyListingRequest {
  prefix?: string | undefined;
  /** Keys per page: asking for it asks for one page. */
  limit?: number | undefined;
  /** Start after this cursor: one page, or with `all` every page after it. */
  cursor?: string | undefined;
  all?: boolean | undefined;
}

export interface KeyListPage {
  keys: KeyInfo[];
  list_complete: boolean;
  cursor?: string;
}

/** One page is listed when --limit or --cursor (without --all) asks for it; otherwise every key. */
export function isOnePage(request: KeyListingRequest): boolean {
  return request.limit !== undefined || (request.cursor !== undefined && !request.all);
}

/** The pages a request lists, in key order: one, or all from its cursor to the end. */
export async function* keyPages(kv: KV, request: KeyListingRequest): AsyncIterable<KeyListPage> {
  const onePage = isOnePage(request);
  let cursor = request.cursor;
  for (;;) {
    const page = await kv.list({
      ...(request.prefix ? { prefix: request.prefix } : {}),
      limit: request.limit ?? LIMITS.listMaxLimit,
      ...(cursor ? { cursor } : {}),
    });
    yield page;
    if (onePage || page.list_complete || !page.cursor) return;
    cursor = page.cursor;
  }
}

/** Every page in one result (for --json and the terminal table): the last page's cursor and completeness. */
export async function collectKeyPages(pages: AsyncIterable<KeyListPage>): Promise<KeyListPage> {
  const keys: KeyInfo[] = [];
  let last: KeyListPage = { keys, list_complete: true };
  for await (const page of pages) {
    keys.push(...page.keys);
    last = page;
  }
  return { keys, list_complete: last.list_complete, ...(last.cursor && !last.list_complete ? { cursor: last.cursor } : {}) };
}

export interface PrintedNames {
  printed: number;
  /** Keys printed as JSON strings (lines only). */
  quoted: number;
  /** Keys left out: NUL-separated output cannot carry a key containing a NUL. */
  leftOut: string[];
  list_complete: boolean;
  cursor?: string;
}

/** Print key names, one a line (quoted when needed) or NUL-separated, as pages arrive. */
export async function printKeyNames(
  pages: AsyncIterable<KeyListPage>,
  separator: KeySeparator,
  write: (text: string) => Promise<void>,
): Promise<PrintedNames> {
  const result: PrintedNames = { printed: 0, quoted: 0, leftOut: [], list_complete: true };
  for await (const page of pages) {
    let text = '';
    for (const { name } of page.keys) {
      if (separator === 'null') {
        if (!fitsNullSeparated(name)) {
          result.leftOut.push(name);
          continue;
        }
        text += `${name}\0`;
      } else {
        if (needsQuoting(name)) result.quoted++;
        text += `${keyLine(name)}\n`;
      }
      result.printed++;
    }
    if (text !== '') await write(text);
    result.list_complete = page.list_complete;
    if (page.cursor && !page.list_complete) result.cursor = page.cursor;
    else delete result.cursor;
  }
  return result;
}

/** Keys `kv list -0` could not print (they contain a NUL): the others were printed. Exit 2. */
export class KeysLeftOutError extends KvadmError {
  constructor(keys: string[]) {
    const shown = keys.slice(0, 5).map(displayKey).join(', ');
    super(
      'KEYS_LEFT_OUT',
      `${keys.length} key${keys.length === 1 ? '' : 's'} contain${keys.length === 1 ? 's' : ''} a NUL character and ${keys.length === 1 ? 'was' : 'were'} left out of the NUL-separated list: ${shown}${keys.length > 5 ? ', …' : ''}`,
      {
        exitCode: ExitCode.usage,
        hint: 'every other key was printed; kv list without -0 prints such keys quoted (kv delete --from-file reads them back), and --json names them too',
        details: { leftOut: keys.length },
      },
    );
  }
}

export function quotedKeysNote(quoted: number): string {
  return `${quoted} key${quoted === 1 ? '' : 's'} with a line break, another control character or a leading double quote ${quoted === 1 ? 'was' : 'were'} printed as ${quoted === 1 ? 'a JSON string' : 'JSON strings'} ("…"): kvadm kv delete --from-file reads ${quoted === 1 ? 'it' : 'them'} back exactly; -0 prints names as they are`;
}

/**
 * Every page as `{keys, list_complete: true}`, written as pages arrive, in the bytes oclif
 * prints a --json result with (two-space indent): a namespace of any size is listed in
 * bounded memory (collected and printed by oclif, 100,000 keys took 200 MB). Returns how
 * many keys were written.
 */
export async function writeKeyListJson(pages: AsyncIterable<KeyListPage>, write: (text: string) => Promise<void>): Promise<number> {
  let written = 0;
  await write('{\n  "keys": [');
  for await (const page of pages) {
    let text = '';
    for (const info of page.keys) {
      text += `${written === 0 ? '\n' : ',\n'}    ${JSON.stringify(info, null, 2).replaceAll('\n', '\n    ')}`;
      written++;
    }
    if (text !== '') await write(text);
  }
  await write(`${written === 0 ? ']' : '\n  ]'},\n  "list_complete": true\n}\n`);
  return written;
}
