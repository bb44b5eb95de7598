/**
 * `kvadm import --skip-invalid --rejects FILE`: the rejected records, written in the format
 * they came in (so the file can be fixed and imported again). The file is opened at the
 * first reject; an import without rejects still leaves an empty list there, so a stale
 * file from an earlier run is never mistaken for this run's.
 */
import fs from 'node:fs';
import type { Format, RecordBatch } from '../formats/index.js';
import type { CsvColumns } from '../formats/types.js';
import { csvWriter } from '../formats/csv.js';
import { type TextWriter, jsonArrayWriter, jsonLinesWriter, jsonObjectWriter } from '../formats/json.js';

export class RejectsFile {
  private open: { fd: number; writer: TextWriter<unknown> } | null = null;

  constructor(
    private readonly path: string,
    private readonly format: Format,
    private readonly delimiter: string,
  ) {}

  /** Append record `i` of `batch`. */
  add(batch: RecordBatch, i: number): void {
    if (!this.open) {
      const writer = rejectsWriter(batch, this.format, this.delimiter);
      const fd = fs.openSync(this.path, 'w');
      fs.writeSync(fd, writer.begin());
      this.open = { fd, writer };
    }
    fs.writeSync(this.open.fd, this.open.writer.write([batch.records[i]]));
  }

  /** Finish the file; `csvColumns` (the input's header, if CSV) heads an empty CSV file. */
  close(csvColumns: CsvColumns | undefined): void {
    if (!this.open) {
      let empty = '';
      if (this.format === 'json') empty = '[]\n';
      else if (csvColumns) empty = csvWriter<unknown>(csvColumns.header, () => [], this.delimiter).begin();
      fs.writeFileSync(this.path, empty);
      return;
    }
    fs.writeSync(this.open.fd, this.open.writer.end());
    fs.closeSync(this.open.fd);
    this.open = null;
  }
}

/** Rejected records go out in the format they came in. */
function rejectsWriter(batch: RecordBatch, format: Format, delimiter: string): TextWriter<unknown> {
  if (batch.kind === 'row') {
    const columns = batch.columns as CsvColumns;
    return csvWriter<unknown>(columns.header, (row) => row as string[], delimiter);
  }
  if (batch.kind === 'pair') return jsonObjectWriter() as TextWriter<unknown>;
  return format === 'jsonl' ? jsonLinesWriter<unknown>((r) => JSON.stringify(r)) : jsonArrayWriter<unknown>((r) => JSON.stringify(r));
}
