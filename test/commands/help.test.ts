/**
 * `--help` of every command, in process: exit 0, the usage line with the command's words,
 * every visible flag, nothing on stderr. The list comes from oclif.manifest.json (written
 * by the build), so a new command is covered without touching this file.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../helpers.js';
import { runCommand } from '../run-command.js';

interface ManifestCommand {
  id: string;
  hidden?: boolean;
  flags: Record<string, { name: string; hidden?: boolean }>;
}

const manifest = JSON.parse(fs.readFileSync(path.join(repoRoot, 'oclif.manifest.json'), 'utf8')) as {
  commands: Record<string, ManifestCommand>;
};
const commands = Object.values(manifest.commands).filter((command) => !command.hidden);

describe('kvadm COMMAND --help', () => {
  it('the manifest lists the commands', () => {
    expect(commands.map((command) => command.id)).toEqual(expect.arrayContaining(['kv:get', 'kv:put', 'ns:list', 'import', 'serve']));
  });

  for (const command of commands) {
    const words = command.id.split(':');
    it(`kvadm ${words.join(' ')} --help shows its usage and every visible flag (exit 0)`, async () => {
      const help = await runCommand([...words, '--help']);
      expect(help.code, help.stderr).toBe(0);
      expect(help.stderr).toBe('');
      expect(help.stdout).toContain(`$ kvadm ${words.join(' ')}`);
      for (const flag of Object.values(command.flags).filter((f) => !f.hidden)) expect(help.stdout).toContain(`--${flag.name}`);
    });
  }
});
