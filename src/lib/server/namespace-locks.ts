/**
 * Writes to one namespace run one after another. The local backend shares one SQLite
 * connection per namespace, and a bulk write holds a transaction open across awaits:
 * without this, two requests could interleave inside one transaction.
 */
export class NamespaceLocks {
  private readonly tails = new Map<string, Promise<unknown>>();

  /** Run `task` once every earlier task on any of `names` has finished. */
  async run<T>(names: string[], task: () => Promise<T>): Promise<T> {
    const unique = [...new Set(names)].sort();
    const previous = unique.map((name) => this.tails.get(name) ?? Promise.resolve());
    const result = Promise.allSettled(previous).then(task);
    const tail = result.catch(() => undefined);
    for (const name of unique) this.tails.set(name, tail);
    try {
      return await result;
    } finally {
      for (const name of unique) if (this.tails.get(name) === tail) this.tails.delete(name);
    }
  }

  /**
   * Take the lock of `names` beyond one request (a bulk session holds its namespace from open to
   * commit): resolves, once every earlier task has finished, with the function that releases it.
   */
  async hold(names: string[]): Promise<() => void> {
    let release = (): void => undefined;
    const released = new Promise<void>((resolve) => {
      release = resolve;
    });
    await new Promise<void>((acquired) => {
      void this.run(names, () => {
        acquired();
        return released;
      });
    });
    return release;
  }
}
