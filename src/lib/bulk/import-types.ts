/** What an import takes and what it returns: the options, the progress it reports and its summary. */
import type { Format } from '../formats/index.js';

export interface ImportOptions {
  format: Format;
  /** CSV field delimiter (default ","). */
  delimiter?: string;
  /** CSV: leave columns kvadm does not know out (otherwise such a header is refused). */
  ignoreColumns?: boolean;
  /** Write the valid entries and leave out the invalid ones (instead of writing nothing). */
  skipInvalid?: boolean;
  /** Validate and count, write nothing. */
  dryRun?: boolean;
  /** With skipInvalid: write the rejected records here, in the input's format. */
  rejectsPath?: string;
  /** How many invalid entries the report lists (default 20); all are counted. */
  reportLimit?: number;
  /** Called after each batch with running totals (cheap: throttle rendering yourself). */
  onProgress?: (progress: ImportProgress) => void;
  /** Validate everything before writing anything (what a non-atomic backend gets); forced on for tests. */
  validateFirst?: boolean;
  /** Where stdin is spooled for a validate-first import (default: the system temp folder). */
  spoolDir?: string;
  /** Aborting it (Ctrl-C) stops the import with InterruptedError; on the local store nothing is written. */
  signal?: AbortSignal;
}

export interface NamespaceImportOptions extends ImportOptions {
  /** Create the namespace when it does not exist (otherwise: NamespaceNotFoundError, exit 3). */
  createNamespace?: boolean;
}

export interface ImportProgress {
  /** Records read so far. */
  entries: number;
  written: number;
  invalid: number;
  duplicates: number;
  /** 'validating' during the first pass of a validate-first import. */
  phase: 'importing' | 'validating' | 'writing';
}

export interface InvalidEntry {
  /** 0-based position of the entry in the input (data rows only, for CSV). */
  index: number;
  /** 1-based line where it starts. */
  line: number;
  key?: string;
  /** The rule broken: a stable code such as KEY_TOO_LONG, BASE64_INVALID. */
  code: string;
  /** The rule broken, in words, without the key (shown beside it). */
  message: string;
  limit?: number;
  actual?: number;
}

export interface ImportSummary {
  namespace: string;
  source: string;
  format: Format;
  dryRun: boolean;
  /** Entries read. */
  entries: number;
  /** Keys written (with dryRun: that would be written); a duplicate key counts once. */
  written: number;
  /** Invalid entries left out (skipInvalid). */
  skipped: number;
  /** Entries whose key appeared earlier in the input: the last one wins. */
  duplicates: number;
  /** Entries the backend refused (a remote); empty on the local store. */
  failed: number;
  failedKeys: string[];
  /** The first `reportLimit` invalid entries. */
  invalid: InvalidEntry[];
  invalidCount: number;
  rejectsFile: string | null;
  /** Fields or CSV columns that kvadm does not know and ignored, with how many entries had them. */
  unknownFields: Record<string, number>;
  /** Whether the entries were written in one transaction (all or nothing). */
  atomic: boolean;
  seconds: number;
  keysPerSecond: number;
}

export interface NamespaceImportSummary extends ImportSummary {
  /** The namespace was created by this import. */
  createdNamespace: boolean;
}
