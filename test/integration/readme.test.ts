// The README's shell examples run as written. Every ```sh / ```bash block runs, in order, in
// one bash per block (with -e and pipefail), in a shared temporary folder with its own store
// and config, and `kvadm` on the PATH as this checkout's bin/run.js; it must exit 0.
// An HTML comment on the line before a block (blank lines between are allowed) changes that:
//   <!-- doc-test: skip (reason) -->  the block is not run (it needs a real remote, a terminal,
//                                      or never ends); the reason is required
//   <!-- doc-test: exit N -->         the block must exit N
//   <!-- doc-test: file NAME -->      any block: its text is written to NAME before the shell
//                                      blocks run, so an example file is what the commands use
// A new block therefore runs by default: an example cannot go stale unnoticed.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { binPath, childEnv, repoRoot, tempDir } from '../helpers.js';

interface Block {
  /** 1-based line of the opening fence. */
  line: number;
  lang: string;
  text: string;
  directive: { kind: 'skip'; reason: string } | { kind: 'exit'; code: number } | { kind: 'file'; name: string } | { kind: 'run' };
}

const DIRECTIVE = /^<!--\s*doc-test:\s*(.*?)\s*-->$/;
const SHELL_LANGS = new Set(['sh', 'bash', 'shell']);

function parseDirective(text: string, line: number): Block['directive'] {
  const skip = /^skip\s+\((.+)\)$/.exec(text);
  if (skip) return { kind: 'skip', reason: skip[1] as string };
  const exit = /^exit\s+(\d+)$/.exec(text);
  if (exit) return { kind: 'exit', code: Number(exit[1]) };
  const file = /^file\s+([\w.-]+)$/.exec(text);
  if (file) return { kind: 'file', name: file[1] as string };
  throw new Error(`README.md line ${line}: unknown doc-test directive "${text}" (skip (reason), exit N, file NAME)`);
}

/** The fenced blocks of a Markdown text, each with the directive on the line before it. */
function fencedBlocks(markdown: string): Block[] {
  const lines = markdown.split('\n');
  const blocks: Block[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = /^```(\w*)\s*$/.exec(lines[i] as string);
    if (!open) continue;
    const start = i;
    const body: string[] = [];
    for (i++; i < lines.length && !/^```\s*$/.test(lines[i] as string); i++) body.push(lines[i] as string);
    let before = start - 1;
    while (before >= 0 && (lines[before] as string).trim() === '') before--;
    const comment = before >= 0 ? DIRECTIVE.exec((lines[before] as string).trim()) : null;
    blocks.push({
      line: start + 1,
      lang: open[1] ?? '',
      text: `${body.join('\n')}\n`,
      directive: comment ? parseDirective(comment[1] as string, before + 1) : { kind: 'run' },
    });
  }
  return blocks;
}

function runShell(script: string, cwd: string, env: NodeJS.ProcessEnv): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('bash', ['-e', '-o', 'pipefail', '-c', script], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString('utf8');
    });
    child.stderr.on('data', (chunk: Buffer) => {
      output += chunk.toString('utf8');
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, output }));
  });
}

const blocks = fencedBlocks(fs.readFileSync(path.join(repoRoot, 'README.md'), 'utf8'));
const shellBlocks = blocks.filter((block) => SHELL_LANGS.has(block.lang));

describe('README.md examples', () => {
  const work = tempDir('readme');
  let env: NodeJS.ProcessEnv = {};

  beforeAll(() => {
    const bin = path.join(work, '.bin');
    fs.mkdirSync(bin);
    fs.writeFileSync(path.join(bin, 'kvadm'), `#!/bin/sh\nexec "${process.execPath}" "${binPath}" "$@"\n`, { mode: 0o755 });
    env = childEnv({
      PATH: `${bin}${path.delimiter}${process.env.PATH ?? ''}`,
      HOME: path.join(work, '.home'),
      KVADM_DATA_DIR: path.join(work, '.store'),
      KVADM_CONFIG_DIR: path.join(work, '.config'),
    });
    for (const block of blocks) {
      if (block.directive.kind === 'file') fs.writeFileSync(path.join(work, block.directive.name), block.text);
    }
  });

  it('has shell examples, and every skipped one says why', () => {
    expect(shellBlocks.length).toBeGreaterThan(0);
    for (const block of shellBlocks) {
      if (block.directive.kind === 'skip') expect(block.directive.reason.trim(), `line ${block.line}`).not.toBe('');
    }
  });

  for (const block of shellBlocks) {
    const first = block.text.split('\n')[0] ?? '';
    const title = `line ${block.line}: ${first}`;
    if (block.directive.kind === 'skip') {
      it.skip(`${title} (${block.directive.reason})`, () => {});
      continue;
    }
    const expected = block.directive.kind === 'exit' ? block.directive.code : 0;
    it(title, async () => {
      const result = await runShell(block.text, work, env);
      expect(result.code, `README.md line ${block.line} printed:\n${result.output}`).toBe(expected);
    });
  }
});
