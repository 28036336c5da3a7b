/**
 * Runs tasks one after another per key, within this process. Not a correctness device — the
 * database's conditional updates are — but it keeps a burst of joins on one group from turning
 * into a storm of transaction write conflicts and retries; across processes the database decides.
 */
export class KeyedLock {
  private tails = new Map<string, Promise<unknown>>();

  run<T>(key: string, task: () => Promise<T>): Promise<T> {
    const previous = this.tails.get(key) ?? Promise.resolve();
    const result = previous.then(task, task);
    const tail = result.catch(() => undefined);
    this.tails.set(key, tail);
    void tail.then(() => {
      if (this.tails.get(key) === tail) this.tails.delete(key);
    });
    return result;
  }
}
