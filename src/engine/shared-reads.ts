/**
 * Concurrent reads of one key share one query: when a whole group clicks its link at once, the
 * database is asked once, not once per member. Only reads already in flight are shared (nothing is
 * cached), and callers must treat the shared result as read-only.
 */
export class SharedReads<T> {
  private readonly inFlight = new Map<string, Promise<T>>();

  constructor(private readonly read: (key: string) => Promise<T>) {}

  get(key: string): Promise<T> {
    const pending = this.inFlight.get(key);
    if (pending) return pending;
    const started = this.read(key).finally(() => this.inFlight.delete(key));
    this.inFlight.set(key, started);
    return started;
  }
}
