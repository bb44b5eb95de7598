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
}
