/**
 * A clock a test client may set per request. Only `kvadm serve --test-clock-header` and
 * `kvadm azion emulate --test-clock-header` (hidden flags) use it: each request may carry
 * `kvadm-test-now: MS`, and everything that request does — validation, expiry filtering,
 * the write limit — sees that time. It lets the one behaviour suite move time on the HTTP
 * target as it does on the local one.
 * Never enable it on a server others use: any client could move its clock.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import type { IncomingHttpHeaders } from 'node:http';
import type { Clock } from '../backends/backend.js';
import { systemClock } from '../backends/backend.js';

const TEST_CLOCK_HEADER = 'kvadm-test-now';

export class RequestClock {
  private readonly storage = new AsyncLocalStorage<number>();

  constructor(private readonly fallback: Clock = systemClock) {}

  /** The current request's time, or the real time outside a request that set one. */
  readonly clock: Clock = () => this.storage.getStore() ?? this.fallback();

  /** Run `fn` (and everything it starts) at `nowMs`. */
  run<T>(nowMs: number, fn: () => T): T {
    return this.storage.run(nowMs, fn);
  }

  /**
   * Run `fn` at the time a request's `kvadm-test-now` header gives (whole milliseconds), or
   * at the real time when it gives none: the one reading of the header, for `kvadm serve`
   * and `kvadm azion emulate` alike.
   */
  runRequest<T>(headers: IncomingHttpHeaders, fn: () => T): T {
    const header = headers[TEST_CLOCK_HEADER];
    return typeof header === 'string' && /^\d+$/.test(header) ? this.run(Number(header), fn) : fn();
  }
}
