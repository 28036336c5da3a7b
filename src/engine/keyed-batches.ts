/**
 * Per key, one batch at a time within this process: an item arriving while its key is idle starts
 * at once, alone; items arriving while a batch runs wait and then go together in the next. Like
 * KeyedLock, not a correctness device — the database's conditional updates are — but a burst of
 * joins on one group becomes a few writes instead of a queue of single ones, with no storm of
 * transaction write conflicts; across processes the database decides.
 */
export class KeyedBatches<T> {
  private readonly waiting = new Map<string, T[]>();
  private readonly running = new Set<string>();

  /** `run` settles every item of its batch itself and never throws. */
  constructor(
    private readonly run: (key: string, batch: T[]) => Promise<void>,
    private readonly maxBatch = 100,
  ) {}

  add(key: string, item: T): void {
    const queue = this.waiting.get(key);
    if (queue) queue.push(item);
    else this.waiting.set(key, [item]);
    if (!this.running.has(key)) void this.drain(key);
  }

  private async drain(key: string): Promise<void> {
    this.running.add(key);
    try {
      for (let batch = this.take(key); batch.length > 0; batch = this.take(key)) await this.run(key, batch);
    } finally {
      this.running.delete(key);
    }
  }

  private take(key: string): T[] {
    const queue = this.waiting.get(key) ?? [];
    const batch = queue.splice(0, this.maxBatch);
    if (queue.length === 0) this.waiting.delete(key);
    return batch;
  }
}
