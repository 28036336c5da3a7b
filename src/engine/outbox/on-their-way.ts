/**
 * This process's sends on their way to one platform (or to one of its request budgets), per key:
 * how many are out, how long answers take lately, and waiting for one to come back.
 */
export class SendsOnTheirWay {
  private readonly byKey = new Map<string, { out: number; answerMs: number; wakeUps: Array<() => void> }>();

  constructor(
    private readonly now: () => number,
    /** A send unanswered this long (a request with no timeout below it) is counted as answered. */
    private readonly givenUpMs: number,
  ) {}

  out(key: string): number {
    return this.of(key).out;
  }

  /** How long answers took lately (a moving average, so one slow answer counts a little). */
  answerMs(key: string): number {
    return this.of(key).answerMs;
  }

  /** Resolves when the next send to `key` is answered. */
  nextAnswer(key: string): Promise<void> {
    return new Promise((resolve) => this.of(key).wakeUps.push(resolve));
  }

  /** Counts a send as on its way; returns what to call once it is answered (again is harmless). */
  start(key: string): () => void {
    const sends = this.of(key);
    const sentAt = this.now();
    sends.out++;
    let done = false;
    const answered = () => {
      if (done) return;
      done = true;
      clearTimeout(givenUp);
      sends.out--;
      sends.answerMs = 0.8 * sends.answerMs + 0.2 * (this.now() - sentAt);
      for (const wake of sends.wakeUps.splice(0)) wake();
    };
    const givenUp = setTimeout(answered, this.givenUpMs);
    givenUp.unref();
    return answered;
  }

  private of(key: string) {
    let sends = this.byKey.get(key);
    if (!sends) {
      sends = { out: 0, answerMs: 0, wakeUps: [] };
      this.byKey.set(key, sends);
    }
    return sends;
  }
}
