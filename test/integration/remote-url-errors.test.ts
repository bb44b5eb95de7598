// A remote base URL that is wrong in the ways users get it wrong: the path without
// /client/v4, https:// to a plain-HTTP port, a self-signed certificate. Each is a clear
// message with a hint (exit 2 for the path, 6 for TLS), never a stack or exit 1. Real
// servers on port 0: `kvadm serve`, and node:https with a certificate made by openssl.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import https from 'node:https';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../helpers.js';
import { runCommand } from '../run-command.js';
import { type ServeProcess, startServe } from '../serve-process.js';

const hasOpenssl = spawnSync('openssl', ['version']).status === 0;

function http(url: string, args: string[]) {
  return runCommand(args, { env: { KVADM_BACKEND: 'http', KVADM_URL: url } });
}

/** stderr of a failed command: one error line and one hint line, no stack. */
function expectTwoLines(stderr: string): void {
  const lines = stderr.trimEnd().split('\n');
  expect(lines, stderr).toHaveLength(2);
  expect(lines[0]).toMatch(/^kvadm: error: /);
  expect(lines[1]).toMatch(/^ {2}hint: /);
}

describe('remote base URL errors', () => {
  let server: ServeProcess;
  let origin = '';
  beforeAll(async () => {
    server = await startServe(['--quiet']);
    origin = new URL(server.url).origin;
  });
  afterAll(async () => {
    await server.stop();
  });

  it('a base URL without /client/v4 says so and suggests the path, exit 2', async () => {
    const result = await http(origin, ['kv', 'list']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`${origin} has no such route (HTTP 404`);
    expect(result.stderr).toContain(`hint: the base URL is the API's root, usually ending in /client/v4: try --url ${origin}/client/v4`);
    expectTwoLines(result.stderr);
  });

  it('gives the same under --json, with a stable code', async () => {
    const result = await http(`${origin}/`, ['kv', 'put', 'k', 'v', '--json']);
    expect(result.code).toBe(2);
    expect(JSON.parse(result.stderr)).toMatchObject({ error: { code: 'REMOTE_NOT_API' } });
  });

  it('a wrong path that ends in /client/v4 is told to check the base URL, exit 2', async () => {
    const result = await http(`${origin}/api/client/v4`, ['ns', 'list']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/hint: check the base URL \(--url or KVADM_URL\)/);
  });

  it('https:// to a plain-HTTP port is one line naming the URL and the cause, exit 6', async () => {
    const url = `${origin.replace('http:', 'https:')}/client/v4`;
    const result = await http(url, ['kv', 'list']);
    expect(result.code).toBe(6);
    expect(result.stderr).toMatch(new RegExp(`^kvadm: error: TLS connection to ${url} failed: the server did not answer TLS \\(ERR_SSL_`));
    expect(result.stderr).toContain(`hint: if the server speaks plain HTTP, use ${server.url}`);
    expectTwoLines(result.stderr);
  });
});

describe('a remote URL refused before any request', () => {
  it.each([
    [
      'not a URL',
      'not a url',
      'invalid remote URL "not a url"',
      'give a base URL such as http://127.0.0.1:8787/client/v4 (--url or KVADM_URL)',
    ],
    [
      'another scheme',
      'ftp://127.0.0.1/client/v4',
      'unsupported URL scheme ftp: in remote URL "ftp://127.0.0.1/client/v4"',
      'use an http:// or https:// URL',
    ],
    [
      'credentials in it',
      'http://user:secret@127.0.0.1:1/client/v4',
      'the remote URL must not carry credentials',
      'pass the token with --token or KVADM_TOKEN',
    ],
  ])('%s: exit 2, the setting named, a hint, and never the password', async (_case, url, message, hint) => {
    const result = await http(url, ['kv', 'list']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`kvadm: error: ${message}`);
    expect(result.stderr).toContain(`hint: ${hint}`);
    expect(result.stderr).not.toContain('secret');
    expectTwoLines(result.stderr);
  });

  it.each([
    [
      'not a URL',
      'not a url',
      'invalid azion-bridge-url "not a url"',
      "give the bridge's base URL, such as https://YOUR-FUNCTION-DOMAIN/client/v4 (azion-bridge-url or KVADM_AZION_BRIDGE_URL)",
    ],
    [
      'another scheme',
      'ftp://127.0.0.1/client/v4',
      'unsupported URL scheme ftp: in azion-bridge-url "ftp://127.0.0.1/client/v4"',
      'use an http:// or https:// URL',
    ],
    [
      'credentials in it',
      'http://user:pa55word@127.0.0.1:1/client/v4',
      'the azion-bridge-url must not carry credentials',
      'pass the bridge secret with azion-bridge-token or KVADM_AZION_BRIDGE_TOKEN',
    ],
  ])("the Azion backend's bridge URL, %s: exit 2, azion-bridge-url named (not --url), a hint", async (_case, url, message, hint) => {
    const result = await runCommand(['kv', 'list'], {
      env: { KVADM_BACKEND: 'azion', KVADM_AZION_BRIDGE_URL: url, KVADM_AZION_TOKEN: 't' },
    });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`kvadm: error: ${message}`);
    expect(result.stderr).toContain(`hint: ${hint}`);
    expect(result.stderr).not.toContain('pa55word');
    expect(result.stderr).not.toContain('KVADM_URL');
    expectTwoLines(result.stderr);
  });
});

describe.skipIf(!hasOpenssl)('a server with a self-signed certificate (needs openssl to make one)', () => {
  let server: https.Server;
  let url = '';
  beforeAll(async () => {
    const dir = tempDir('tls');
    const key = path.join(dir, 'key.pem');
    const cert = path.join(dir, 'cert.pem');
    const made = spawnSync('openssl', [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-keyout',
      key,
      '-out',
      cert,
      '-days',
      '1',
      '-subj',
      '/CN=127.0.0.1',
    ]);
    if (made.status !== 0) throw new Error(`openssl failed: ${made.stderr}`);
    server = https.createServer({ key: fs.readFileSync(key), cert: fs.readFileSync(cert) }, (_request, response) => response.end('{}'));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `https://127.0.0.1:${(server.address() as { port: number }).port}/client/v4`;
  });
  afterAll(() => {
    server.close();
  });

  it('is refused in one line naming the URL and that the certificate is self-signed, exit 6', async () => {
    const result = await http(url, ['kv', 'list']);
    expect(result.code).toBe(6);
    expect(result.stderr).toContain(
      `kvadm: error: TLS connection to ${url} refused: its certificate is self-signed (DEPTH_ZERO_SELF_SIGNED_CERT)`,
    );
    expect(result.stderr).toContain('NODE_EXTRA_CA_CERTS');
    expectTwoLines(result.stderr);
  });
});
