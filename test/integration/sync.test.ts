/**
 * kvadm diff, sync and copy as the binary runs them through oclif, in process, on the local and http targets (SRC and DST are two
 * namespaces of the target's store), then across backends (a local store and a `kvadm serve`
 * reached through a profile): exit codes, the lines on stdout, the --json shapes, and what
 * DST holds afterwards.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StoredEntry } from '../../src/lib/backends/backend.js';
import { KV } from '../../src/lib/kv.js';
import { type BackendTarget, forEachBackend } from '../backends.js';
import { tempDir } from '../helpers.js';
import { runCommand } from '../run-command.js';
import { type ServeProcess, startServe } from '../serve-process.js';

const NOW = () => Math.floor(Date.now() / 1000);
const BINARY = Buffer.from([0x00, 0xff, 0xfe, 0x80, 0x0a, 0x22]);

interface Seed {
  key: string;
  value: string | Buffer;
  metadata?: unknown;
  expiration?: number;
}

/** Create `namespace` in the target's store holding exactly `entries`. */
async function seed(target: BackendTarget, namespace: string, entries: Seed[]): Promise<void> {
  const backend = await target.createBackend();
  try {
    const kv = await KV.create(namespace, { backend });
    for (const e of entries) {
      const value = typeof e.value === 'string' ? e.value : new Uint8Array(e.value);
      await kv.put(e.key, value, {
        ...(e.metadata === undefined ? {} : { metadata: e.metadata }),
        ...(e.expiration === undefined ? {} : { expiration: e.expiration }),
      });
    }
  } finally {
    await backend.close();
  }
}

/** Every live entry of a namespace (null when it does not exist), for before/after comparisons. */
async function contents(target: BackendTarget, namespace: string): Promise<StoredEntry[] | null> {
  const backend = await target.createBackend();
  try {
    if (!(await backend.namespaceExists(namespace))) return null;
    const all: StoredEntry[] = [];
    for await (const page of backend.scan(namespace)) all.push(...page.map((e) => ({ ...e, value: Buffer.from(e.value) })));
    return all;
  } finally {
    await backend.close();
  }
}

let counter = 0;
const names = (label: string) => {
  counter++;
  return [`${label}-${counter}-src`, `${label}-${counter}-dst`] as const;
};

/**
 * diff compares in the client: on the local store and on kvadm serve (which lists value
 * digests). The emulator's target is the http backend again, against a server without digests:
 * diff on such a server (values read through bulk get) is in sync-digest.test.ts.
 */
const CLIENT_TARGETS = { only: ['local', 'http'] } as const;
/**
 * sync and copy write in one transaction on the local store and in one bulk session on kvadm
 * serve; the emulator has no bulk sessions, so there they check or plan first and write as they
 * go (the other path of sync.ts and copy.ts): all three targets.
 */
const WRITING_TARGETS = {} as const;

forEachBackend(
  'kvadm diff',
  (target) => {
    const cli = (args: string[]) => runCommand(args, { env: target.env() });

    it('identical stores: exit 0, nothing on stdout, and --json lists no keys', async () => {
      const [a, b] = names('same');
      const entries = [
        { key: 'k1', value: 'v1', metadata: { m: 1 } },
        { key: 'k2', value: BINARY },
      ];
      await seed(target, a, entries);
      await seed(target, b, entries);
      const text = await cli(['diff', a, b]);
      expect(text.code, text.stderr).toBe(0);
      expect(text.stdout).toBe('');
      expect(text.stderr).toContain(`'${a}' and '${b}' match: 2 keys compared`);
      const json = await cli(['diff', a, b, '--json']);
      expect(json.code, json.stderr).toBe(0);
      expect(JSON.parse(json.stdout)).toMatchObject({ added: [], removed: [], changed: [], same: 2 });
    });

    it('added, removed and changed keys: one line each naming what differs, exit 10', async () => {
      const [a, b] = names('differ');
      const soon = NOW() + 3600;
      await seed(target, a, [
        { key: 'added', value: 'x' },
        { key: 'bin', value: BINARY },
        { key: 'exp', value: 'e', expiration: soon },
        { key: 'exp-close', value: 'e', expiration: soon },
        { key: 'meta', value: 'm', metadata: { v: 1 } },
        { key: 'same', value: 's' },
        { key: 'val', value: 'one' },
        { key: 'val+meta', value: 'one', metadata: { v: 1 } },
      ]);
      await seed(target, b, [
        { key: 'bin', value: Buffer.from([0x00, 0xff, 0xfe, 0x80, 0x0a, 0x23]) },
        { key: 'exp', value: 'e', expiration: soon + 3600 },
        // 30 s apart: equal (the protocol rounds expirations).
        { key: 'exp-close', value: 'e', expiration: soon + 30 },
        { key: 'meta', value: 'm', metadata: { v: 2 } },
        { key: 'removed', value: 'r' },
        { key: 'same', value: 's' },
        { key: 'val', value: 'two' },
        { key: 'val+meta', value: 'two' },
      ]);
      const text = await cli(['diff', a, b]);
      expect(text.code, text.stderr).toBe(10);
      expect(text.stdout).toBe(
        [
          '+ added',
          '~ bin (value)',
          '~ exp (expiration)',
          '~ meta (metadata)',
          '- removed',
          '~ val (value)',
          '~ val+meta (value, metadata)',
          '',
        ].join('\n'),
      );
      expect(text.stderr).toContain('1 only in SRC (+), 1 only in DST (-), 5 changed (~), 2 same');

      const json = await cli(['diff', a, b, '--json']);
      expect(json.code).toBe(10);
      const result = JSON.parse(json.stdout);
      expect(result.added).toEqual(['added']);
      expect(result.removed).toEqual(['removed']);
      expect(result.changed).toEqual([
        { key: 'bin', differs: ['value'] },
        { key: 'exp', differs: ['expiration'] },
        { key: 'meta', differs: ['metadata'] },
        { key: 'val', differs: ['value'] },
        { key: 'val+meta', differs: ['value', 'metadata'] },
      ]);
      expect(result.same).toBe(2);
      expect(result.counts).toEqual({ added: 1, removed: 1, changed: 5, same: 2 });

      // --keys-only reads no values: value-only differences are invisible, the rest is not.
      const keysOnly = await cli(['diff', a, b, '--keys-only']);
      expect(keysOnly.code).toBe(10);
      expect(keysOnly.stdout).toBe(
        ['+ added', '~ exp (expiration)', '~ meta (metadata)', '- removed', '~ val+meta (metadata)', ''].join('\n'),
      );

      const prefixed = await cli(['diff', a, b, '--prefix', 'val']);
      expect(prefixed.stdout).toBe(['~ val (value)', '~ val+meta (value, metadata)', ''].join('\n'));
    });

    it('a missing namespace is exit 3 and a malformed address exit 2', async () => {
      const [a] = names('missing');
      await seed(target, a, [{ key: 'k', value: 'v' }]);
      const missing = await cli(['diff', a, 'no-such-namespace']);
      expect(missing.code).toBe(3);
      expect(missing.stderr).toContain("namespace 'no-such-namespace' not found");
      const malformed = await cli(['diff', a, 'prod:bad/name']);
      expect(malformed.code).toBe(2);
      expect(malformed.stderr).toContain('DST "prod:bad/name"');
      const unknownProfile = await cli(['diff', a, 'nosuchprofile:users']);
      expect(unknownProfile.code).toBe(2);
      expect(unknownProfile.stderr).toContain('unknown profile "nosuchprofile"');
      const namespaceFlag = await cli(['diff', a, a, '-n', a]);
      expect(namespaceFlag.code).toBe(2);
      expect(namespaceFlag.stderr).toContain('does not apply here: the namespaces are SRC and DST');
    });
  },
  CLIENT_TARGETS,
);

forEachBackend(
  'kvadm sync',
  (target) => {
    const cli = (args: string[]) => runCommand(args, { env: target.env() });
    const soon = NOW() + 3600;
    const srcEntries: Seed[] = [
      { key: 'bin', value: BINARY, metadata: { kind: 'bytes' } },
      { key: 'exp', value: 'e', expiration: soon },
      { key: 'meta', value: 'm', metadata: { v: 1 } },
      { key: 'new', value: 'n' },
      { key: 'same', value: 's' },
      { key: 'val', value: 'one' },
    ];
    const dstEntries: Seed[] = [
      { key: 'exp', value: 'e', expiration: soon + 3600 },
      { key: 'extra', value: 'only in dst' },
      { key: 'meta', value: 'm', metadata: { v: 2 } },
      { key: 'same', value: 's' },
      { key: 'val', value: 'two' },
    ];

    it('writes the added and changed keys only; a second run writes nothing and says so', async () => {
      const [a, b] = names('sync');
      await seed(target, a, srcEntries);
      await seed(target, b, dstEntries);
      const first = await cli(['sync', a, b, '--json']);
      expect(first.code, first.stderr).toBe(0);
      const summary = JSON.parse(first.stdout);
      expect(summary.plan).toEqual({ add: 2, change: 3, delete: 0, keep: 1, same: 1, invalid: 0 });
      // One transaction on the local store and in kvadm serve's bulk session; the emulator has no sessions.
      expect(summary).toMatchObject({ applied: true, written: 5, deleted: 0, atomic: target.name !== 'azion-emulator' });

      const after = await contents(target, b);
      const source = await contents(target, a);
      // DST holds every SRC entry (binary value included) plus its own extra key.
      expect(after?.filter((e) => e.key !== 'extra')).toEqual(source);
      expect(after?.find((e) => e.key === 'extra')?.value.toString()).toBe('only in dst');
      expect((await cli(['diff', a, b])).stdout).toBe('- extra\n');

      const second = await cli(['sync', a, b]);
      expect(second.code, second.stderr).toBe(0);
      expect(second.stderr).toContain('already in sync: 6 keys match, nothing written');
      const secondJson = JSON.parse((await cli(['sync', a, b, '--json'])).stdout);
      expect(secondJson).toMatchObject({ written: 0, deleted: 0, plan: { add: 0, change: 0, delete: 0, same: 6 } });
    });

    it('--delete off a terminal needs --force: without it nothing changes (exit 2), with it DST equals SRC', async () => {
      const [a, b] = names('delete');
      await seed(target, a, srcEntries);
      await seed(target, b, dstEntries);
      const before = await contents(target, b);
      const refused = await cli(['sync', a, b, '--delete']);
      expect(refused.code).toBe(2);
      expect(refused.stderr).toContain(`plan for '${b}': 2 to add, 3 to change, 1 to delete, 1 same`);
      expect(refused.stderr).toContain('add --force to confirm');
      expect(await contents(target, b)).toEqual(before);

      const forced = await cli(['sync', a, b, '--delete', '--force']);
      expect(forced.code, forced.stderr).toBe(0);
      expect(forced.stderr).toContain('5 written, 1 deleted');
      expect(await contents(target, b)).toEqual(await contents(target, a));
      const diff = await cli(['diff', a, b]);
      expect(diff.code).toBe(0);
    });

    it('--dry-run prints the plan and changes nothing, not even a missing namespace', async () => {
      const [a, b] = names('dry');
      await seed(target, a, srcEntries);
      await seed(target, b, dstEntries);
      const before = await contents(target, b);
      const dry = await cli(['sync', a, b, '--delete', '--dry-run', '--json']);
      expect(dry.code, dry.stderr).toBe(0);
      expect(JSON.parse(dry.stdout)).toMatchObject({
        dryRun: true,
        applied: false,
        written: 0,
        deleted: 0,
        plan: { add: 2, change: 3, delete: 1 },
      });
      const text = await cli(['sync', a, b, '--dry-run']);
      expect(text.stderr).toContain('dry run, nothing changed: 2 to add, 3 to change, 0 to delete, 1 same, 1 only in DST kept');
      expect(await contents(target, b)).toEqual(before);

      const fresh = `${b}-new`;
      const planNew = await cli(['sync', a, fresh, '--dry-run', '--create-namespace', '--json']);
      expect(planNew.code, planNew.stderr).toBe(0);
      expect(JSON.parse(planNew.stdout).plan.add).toBe(6);
      expect(await contents(target, fresh)).toBeNull();
    });

    it('--create-namespace creates DST; without it a missing DST is exit 3', async () => {
      const [a, b] = names('create');
      await seed(target, a, srcEntries);
      const missing = await cli(['sync', a, b]);
      expect(missing.code).toBe(3);
      const created = await cli(['sync', a, b, '--create-namespace', '--json']);
      expect(created.code, created.stderr).toBe(0);
      expect(JSON.parse(created.stdout)).toMatchObject({ createdNamespace: true, written: 6 });
      expect(await contents(target, b)).toEqual(await contents(target, a));
    });

    it('an entry DST would refuse is reported and nothing is written, unless --skip-invalid', async () => {
      const [a, b] = names('invalid');
      await seed(target, a, [{ key: 'good', value: 'g' }]);
      await seed(target, b, []);
      // An expiration 30 s ahead, written by a clock an hour behind (so the store accepted it): no store takes it now.
      const past = await target.createBackend({ clock: () => Date.now() - 3_600_000 });
      await past.put(a, { key: 'dying', value: Buffer.from('d'), expiration: NOW() + 30, metadata: null });
      await past.close();

      const refused = await cli(['sync', a, b]);
      expect(refused.code).toBe(2);
      expect(refused.stderr).toContain(`1 entry of '${a}' would be refused by '${b}'; nothing was written`);
      expect(refused.stderr).toContain('dying: Invalid expiration of');
      expect(refused.stderr).toContain('[EXPIRATION_INVALID]');
      expect(await contents(target, b)).toEqual([]);

      const skipped = await cli(['sync', a, b, '--skip-invalid', '--json']);
      expect(skipped.code, skipped.stderr).toBe(0);
      const summary = JSON.parse(skipped.stdout);
      expect(summary).toMatchObject({ written: 1, plan: { add: 2, invalid: 1 } });
      expect(summary.invalid).toEqual([expect.objectContaining({ key: 'dying', code: 'EXPIRATION_INVALID' })]);
      expect((await contents(target, b))?.map((e) => e.key)).toEqual(['good']);
    });
  },
  WRITING_TARGETS,
);

forEachBackend(
  'kvadm copy',
  (target) => {
    const cli = (args: string[]) => runCommand(args, { env: target.env() });

    it('writes every key without reading DST, into a namespace it creates', async () => {
      const [a, b] = names('copy');
      await seed(target, a, [
        { key: 'bin', value: BINARY },
        { key: 'm', value: 'meta', metadata: { x: [1, 2] }, expiration: NOW() + 7200 },
        { key: 'p:1', value: 'one' },
      ]);
      expect((await cli(['copy', a, b])).code).toBe(3);
      const copied = await cli(['copy', a, b, '--create-namespace', '--json']);
      expect(copied.code, copied.stderr).toBe(0);
      expect(JSON.parse(copied.stdout)).toMatchObject({ entries: 3, written: 3, createdNamespace: true, applied: true });
      expect(await contents(target, b)).toEqual(await contents(target, a));

      // DST's own keys stay; SRC's overwrite whatever DST held under the same key.
      const [c, d] = names('copy-over');
      await seed(target, c, [{ key: 'p:1', value: 'new' }]);
      await seed(target, d, [
        { key: 'p:1', value: 'old' },
        { key: 'q', value: 'kept' },
      ]);
      const over = await cli(['copy', c, d]);
      expect(over.code, over.stderr).toBe(0);
      expect(over.stderr).toContain(`copied 1 of 1 entries from '${c}' to '${d}'`);
      expect((await contents(target, d))?.map((e) => [e.key, e.value.toString()])).toEqual([
        ['p:1', 'new'],
        ['q', 'kept'],
      ]);
    });
  },
  WRITING_TARGETS,
);

describe('across backends: a local store and kvadm serve reached through a profile', () => {
  let server: ServeProcess;
  const configDir = tempDir('sync-config');
  const dataDir = tempDir('sync-local');
  const env = { KVADM_CONFIG_DIR: configDir, KVADM_DATA_DIR: dataDir, KVADM_HTTP_RETRIES: '1' };
  const cli = (args: string[]) => runCommand(args, { env });

  beforeAll(async () => {
    server = await startServe(['--no-write-limit', '--quiet']);
    fs.writeFileSync(
      path.join(configDir, 'config.json'),
      JSON.stringify({ profiles: { remote: { backend: 'http', url: server.url }, other: { 'data-dir': tempDir('sync-other') } } }),
    );
  });
  afterAll(() => server?.stop());

  it('local → http → local → another local store: every hop matches, binary values intact', async () => {
    const file = path.join(tempDir('sync-seed'), 'seed.json');
    fs.writeFileSync(
      file,
      JSON.stringify([
        { key: 'bin', value: BINARY.toString('base64'), base64: true, metadata: { b: true } },
        { key: 'exp', value: 'e', expiration: NOW() + 7200 },
        { key: 'unicode 🙂', value: 'ü' },
      ]),
    );
    expect((await cli(['import', file, '-n', 'users', '--create-namespace'])).code).toBe(0);

    const up = await cli(['sync', 'users', 'remote:users', '--create-namespace']);
    expect(up.code, up.stderr).toBe(0);
    expect(up.stderr).toContain("synced 'users' to 'remote:users' (created): 3 written");
    expect((await cli(['diff', 'users', 'remote:users'])).code).toBe(0);
    expect((await cli(['sync', 'users', 'remote:users'])).stderr).toContain('already in sync');

    expect((await cli(['copy', 'remote:users', 'remote:users2', '--create-namespace'])).code).toBe(0);
    const down = await cli(['sync', 'remote:users2', 'back', '--create-namespace']);
    expect(down.code, down.stderr).toBe(0);
    expect((await cli(['diff', 'users', 'back'])).code).toBe(0);
    expect((await cli(['kv', 'get', 'bin', '-n', 'back'])).stdoutBytes).toEqual(BINARY);

    expect((await cli(['copy', 'back', 'other:users', '--create-namespace'])).code).toBe(0);
    expect((await cli(['diff', 'other:users', 'remote:users'])).code).toBe(0);
    const changed = await cli(['kv', 'put', 'bin', 'now text', '-n', 'back']);
    expect(changed.code).toBe(0);
    const diff = await cli(['diff', 'back', 'remote:users']);
    expect(diff.code).toBe(10);
    expect(diff.stdout).toBe('~ bin (value, metadata)\n');
  });
});
