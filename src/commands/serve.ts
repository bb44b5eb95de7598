import { Flags } from '@oclif/core';
import { BaseCommand } from '../cli/base-command.js';
import { listenOn, runUntilSignal } from '../cli/listen.js';
import { LocalBackend } from '../lib/backends/local.js';
import { DEFAULT_SESSION_IDLE_MS } from '../lib/server/bulk-sessions.js';
import { UsageError } from '../lib/errors.js';

/** WAL pages after which a commit folds the WAL into the file anyway (SQLite's default is 1000). */
const SERVE_WAL_CHECKPOINT_PAGES = 16_384;

export default class Serve extends BaseCommand<typeof Serve> {
  static override summary = 'Serve the local store over HTTP (the Cloudflare Workers KV REST API shape).';
  static override description = `Every route of the Workers KV REST API v4 under http://HOST:PORT/client/v4, over the store in --data-dir.
Prints the base URL on one line of stderr, then one access-log line per request (--quiet silences them).
With a token (--token or KVADM_TOKEN) every request needs "Authorization: Bearer TOKEN"; without one, only loopback addresses are allowed.
Production limits apply, including one write per second to the same key (--no-write-limit turns that off for local seeding).
kvadm's imports into it are all or nothing: they write through a staged bulk session, which holds the namespace's writes until the import is complete (docs/PROTOCOL.md).
SIGINT or SIGTERM stop it gracefully: in-flight requests finish, then the store is closed.`;
  static override examples = [
    '<%= config.bin %> serve',
    '<%= config.bin %> serve --port 0 --data-dir ./store --no-write-limit',
    'KVADM_TOKEN=s3cret <%= config.bin %> serve --host 0.0.0.0 --port 8787',
  ];
  static override enableJsonFlag = false;
  static override flags = {
    host: Flags.string({ summary: 'Address to listen on.', default: '127.0.0.1' }),
    port: Flags.integer({ summary: 'Port to listen on; 0 picks a free one.', default: 8787, min: 0, max: 65_535 }),
    'write-limit': Flags.boolean({
      summary: 'Allow at most one write per second to the same key (--no-write-limit to seed quickly).',
      default: true,
      allowNo: true,
    }),
    quiet: Flags.boolean({ char: 'q', summary: 'No access log.' }),
    'sweep-interval': Flags.integer({ summary: 'Seconds between sweeps of expired keys (0: never).', default: 60, min: 0 }),
    'headers-timeout': Flags.integer({ summary: 'Seconds a client has to send its request headers.', default: 10, min: 1 }),
    'request-timeout': Flags.integer({ summary: 'Seconds a client has to send a whole request.', default: 300, min: 1 }),
    'bulk-sessions': Flags.boolean({
      summary: 'Offer staged bulk sessions, which make remote imports all or nothing (--no-bulk-sessions: answer as Cloudflare does).',
      default: true,
      allowNo: true,
    }),
    'bulk-session-timeout': Flags.integer({
      summary: 'Seconds a bulk session may go without a request before it is aborted.',
      default: DEFAULT_SESSION_IDLE_MS / 1000,
      min: 1,
    }),
    // Lets a client set the server's clock per request (kvadm-test-now header): for the
    // behaviour tests only, never for a server anyone else uses.
    'test-clock-header': Flags.boolean({ hidden: true }),
  };

  async run(): Promise<void> {
    const { settings } = this.settings();
    const { flags } = this;
    // Loaded here so that no other command pays for the HTTP server at start-up.
    const { startServer, isLoopback, RequestClock } = await import('../lib/server/index.js');
    if (!settings.token && !isLoopback(flags.host)) {
      throw new UsageError(
        `refusing to listen on ${flags.host} without a token: anyone who can reach it could read and change the store`,
        'set a token with --token or KVADM_TOKEN, or listen on a loopback address (127.0.0.1, ::1)',
      );
    }
    const requestClock = flags['test-clock-header'] ? new RequestClock() : undefined;
    const backend = new LocalBackend({
      dataDir: settings.dataDir,
      // The WAL is folded into the files when the server is idle (see the server's timers), or
      // by a commit once it passes this size: 64 MiB of 4 KiB pages bounds it during long imports.
      walCheckpointPages: SERVE_WAL_CHECKPOINT_PAGES,
      ...(requestClock ? { clock: requestClock.clock } : {}),
    });
    const server = await listenOn(
      startServer({
        backend,
        host: flags.host,
        port: flags.port,
        token: settings.token,
        writeLimit: flags['write-limit'],
        // Without --quiet the access log goes to stderr (the server's default).
        ...(flags.quiet ? { accessLog: null } : {}),
        sweepIntervalMs: flags['sweep-interval'] * 1000,
        timeouts: { headersMs: flags['headers-timeout'] * 1000, requestMs: flags['request-timeout'] * 1000 },
        ...(requestClock ? { requestClock } : {}),
        bulkSessions: flags['bulk-sessions'] ? { idleMs: flags['bulk-session-timeout'] * 1000 } : false,
      }),
      { host: flags.host, port: flags.port },
    );
    process.stderr.write(`${server.url}\n`);
    if (!flags.quiet) {
      process.stderr.write(
        `kvadm serve: store ${backend.location}; ${settings.token ? 'bearer token required' : 'no token'}; ` +
          `write limit ${flags['write-limit'] ? 'on' : 'off'}; ` +
          `bulk sessions ${flags['bulk-sessions'] ? `on (aborted after ${flags['bulk-session-timeout']} s without a request)` : 'off'}; Ctrl-C stops\n`,
      );
    }
    await runUntilSignal('kvadm serve', server, 'finishing in-flight requests');
    process.stderr.write('kvadm serve: stopped\n');
  }
}
