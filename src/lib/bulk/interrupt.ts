/**
 * Ctrl-C (SIGINT) and SIGTERM during a bulk job. Node's default ends the process at
 * once, leaving an export's temporary file or the namespace an import created; instead
 * the command turns the signal into an aborted AbortSignal, and the engines stop at
 * their next wait (even one that would never end: a FIFO nobody writes, a server that
 * stopped answering) with InterruptedError, so their cleanup runs.
 */
import fs from 'node:fs';
import net from 'node:net';
import { InterruptedError } from '../errors.js';
import type { BulkSource } from './io.js';

/** `promise`, or InterruptedError as soon as `signal` aborts (the work behind `promise` is given up). */
export function unlessAborted<T>(promise: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return promise;
  if (signal.aborted) {
    promise.catch(() => undefined);
    return Promise.reject(new InterruptedError());
  }
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(new InterruptedError());
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}

/** The items of `items`, stopping with InterruptedError when `signal` aborts, even while waiting for the next. */
export async function* abortable<T>(items: AsyncIterable<T>, signal: AbortSignal | undefined): AsyncIterable<T> {
  if (!signal) {
    yield* items;
    return;
  }
  const iterator = items[Symbol.asyncIterator]();
  let finished = false;
  try {
    for (;;) {
      const next = await unlessAborted(iterator.next(), signal);
      if (next.done) {
        finished = true;
        return;
      }
      yield next.value;
    }
  } finally {
    // Close the source (a file stream) when stopped early; a read still pending settles on its own.
    if (!finished) iterator.return?.()?.catch(() => undefined);
  }
}

export interface SignalWatch {
  signal: AbortSignal;
  /** Back to Node's default handling. */
  stop(): void;
}

/**
 * Until `stop()`, SIGINT and SIGTERM abort `signal` instead of ending the process. A
 * second signal ends it the default way, should the cleanup itself hang.
 */
export function abortOnSignals(): SignalWatch {
  const controller = new AbortController();
  const signals: NodeJS.Signals[] = ['SIGINT', 'SIGTERM'];
  const onSignal = (signal: NodeJS.Signals) => {
    if (controller.signal.aborted) {
      stop();
      process.kill(process.pid, signal);
      return;
    }
    controller.abort(new InterruptedError());
  };
  const stop = () => {
    for (const signal of signals) process.off(signal, onSignal);
  };
  for (const signal of signals) process.on(signal, onSignal);
  return { signal: controller.signal, stop };
}

/**
 * The input of an import at `path`. A FIFO is read as a non-blocking stream: a read
 * blocked on a FIFO nobody writes holds one of Node's threads, and the process could
 * then not end after Ctrl-C. Opening it waits for a writer, as reading a FIFO should.
 */
export async function bulkInput(path: string): Promise<BulkSource> {
  if (!fs.statSync(path).isFIFO()) return { kind: 'file', path };
  const fd = await new Promise<number>((resolve, reject) =>
    fs.open(path, 'r', (error, opened) => (error ? reject(error) : resolve(opened))),
  );
  // libuv switches the descriptor to non-blocking mode for the socket.
  return { kind: 'stream', stream: new net.Socket({ fd, readable: true, writable: false }), name: path };
}
