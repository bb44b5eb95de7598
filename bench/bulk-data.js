// Generated bulk files for the import/export bench (and the memory test): N small entries,
// about 150 bytes each in JSON, every 10th with metadata, every 25th with an expiration.
import fs from 'node:fs';
import { once } from 'node:events';

const FILLER = 'lorem ipsum dolor sit amet consectetur adipiscing elit sed do eiusmod tempor incididunt ut labore';

/** The i-th generated row: [key, value, expiration|null, metadata JSON|null]. */
export function row(i, expiration) {
  const key = `user:${String(i).padStart(8, '0')}`;
  const value = `${i} ${FILLER}`;
  return [key, value, i % 25 === 0 ? expiration : null, i % 10 === 0 ? `{"n":${i},"tag":"seed"}` : null];
}

function csvCell(text) {
  return /[",\n\r]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

function render(format, r) {
  const [key, value, expiration, metadata] = r;
  if (format === 'csv') return `${csvCell(key)},${csvCell(value)},${expiration ?? ''},${metadata === null ? '' : csvCell(metadata)}\n`;
  let text = `{"key":${JSON.stringify(key)},"value":${JSON.stringify(value)}`;
  if (expiration !== null) text += `,"expiration":${expiration}`;
  if (metadata !== null) text += `,"metadata":${metadata}`;
  return `${text}}`;
}

/** Write `count` entries to `file` in `format` (json, jsonl, csv); resolves to the file size. */
export async function writeBulkFile(file, format, count, expiration = Math.floor(Date.now() / 1000) + 30 * 86_400) {
  const out = fs.createWriteStream(file);
  let chunk = format === 'json' ? '[\n' : format === 'csv' ? 'key,value,expiration,metadata\n' : '';
  for (let i = 0; i < count; i++) {
    const line = render(format, row(i, expiration));
    if (format === 'json') chunk += i === 0 ? line : `,\n${line}`;
    else if (format === 'jsonl') chunk += `${line}\n`;
    else chunk += line;
    if (chunk.length > 1 << 20) {
      if (!out.write(chunk)) await once(out, 'drain');
      chunk = '';
    }
  }
  if (format === 'json') chunk += '\n]\n';
  out.end(chunk);
  await once(out, 'finish');
  return fs.statSync(file).size;
}
