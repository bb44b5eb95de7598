import { Flags } from '@oclif/core';
import { BaseCommand } from '../../cli/base-command.js';
import { listenOn, runUntilSignal } from '../../cli/listen.js';
import { LocalBackend } from '../../lib/backends/local.js';
import { UsageError } from '../../lib/errors.js';

export default class AzionEmulate extends BaseCommand<typeof AzionEmulate> {
  static override summary = 'Run the kvadm bridge Function locally, over the local store standing in for Azion KV.';
  static override description =
    `Runs the bridge's own fetch handler (the code "kvadm azion bridge" writes for Azion) in Node, with the store in --data-dir standing in for Azion.KV and for Azion's namespace API.
Prints the base URL (http://HOST:PORT/client/v4) on one line of stderr, then one access-log line per request (--quiet silences them).
Every request needs "Authorization: Bearer TOKEN" (--token or KVADM_TOKEN), as on Azion. Point kvadm, wrangler or the cloudflare SDK at the URL to try the bridge before deploying it.
The same port answers Azion's namespace REST API under /v4 ("Authorization: Token TOKEN", same secret), so "kvadm --backend azion" runs whole against it: azion-api-url http://HOST:PORT/v4, azion-bridge-url http://HOST:PORT/client/v4, both tokens TOKEN.
SIGINT or SIGTERM stop it.`;
  static override examples = [
    '<%= config.bin %> azion emulate --port 0 --token s3cret --data-dir ./store',
    'KVADM_TOKEN=s3cret <%= config.bin %> azion emulate --port 8788',
  ];
  static override enableJsonFlag = false;
  static override flags = {
    host: Flags.string({ summary: 'Address to listen on.', default: '127.0.0.1' }),
    port: Flags.integer({ summary: 'Port to listen on; 0 picks a free one.', default: 8788, min: 0, max: 65_535 }),
    quiet: Flags.boolean({ char: 'q', summary: 'No access log.' }),
    'write-limit': Flags.boolean({
      summary: "Refuse a second write to a key within a second, as Azion does (the bridge's index then backs off and retries).",
    }),
    // Lets a client set the emulator's clock per request (kvadm-test-now header): for the
    // behaviour tests only, never for an emulator anyone else uses.
    'test-clock-header': Flags.boolean({ hidden: true }),
  };

  async run(): Promise<void> {
    const { settings } = this.settings();
    const { flags } = this;
    if (!settings.token) {
      throw new UsageError(
        'the bridge needs a bearer secret: clients must send "Authorization: Bearer TOKEN"',
        'give one with --token or KVADM_TOKEN (on Azion it is the KVADM_BRIDGE_TOKEN secret)',
      );
    }
    const { startEmulator } = await import('../../lib/azion/emulator.js');
    const { RequestClock } = await import('../../lib/server/request-clock.js');
    const requestClock = flags['test-clock-header'] ? new RequestClock() : undefined;
    const backend = new LocalBackend({ dataDir: settings.dataDir, ...(requestClock ? { clock: requestClock.clock } : {}) });
    const emulator = await listenOn(
      startEmulator({
        backend,
        host: flags.host,
        port: flags.port,
        token: settings.token,
        writeLimit: flags['write-limit'],
        accessLog: flags.quiet ? null : (line) => process.stderr.write(line),
        ...(requestClock ? { requestClock } : {}),
      }),
      { host: flags.host, port: flags.port },
    );
    process.stderr.write(`${emulator.url}\n`);
    if (!flags.quiet) {
      process.stderr.write(
        `kvadm azion emulate: the bridge Function over ${backend.location}; bearer token required; ` +
          `Azion's namespace API stand-in at ${emulator.apiUrl} (Token auth, same secret); Ctrl-C stops\n`,
      );
    }
    await runUntilSignal('kvadm azion emulate', emulator, 'stopping');
  }
}
