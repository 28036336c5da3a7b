import { setTimeout as sleep } from "node:timers/promises";
import type { Messenger } from "../messenger";

/**
 * Spaces sends so a platform never sees more than its `pace`: per platform overall and per
 * recipient. Real time, not the engine clock: this is about the platform's rate limiter. Per
 * process: two instances may together reach twice the pace, and the platform's 429 with
 * `retryAfterMs` then takes over.
 */
export class Pacer {
  private nextFree = new Map<string, number>();

  constructor(
    private readonly now: () => number = () => performance.now(),
    private readonly sleepFor: (ms: number) => Promise<unknown> = (ms) => sleep(ms),
  ) {}

  async wait(messenger: Pick<Messenger, "platform" | "pace">, recipient: string): Promise<void> {
    const now = this.now();
    const platformKey = messenger.platform;
    const recipientKey = `${messenger.platform}:${recipient}`;
    const at = Math.max(now, this.nextFree.get(platformKey) ?? 0, this.nextFree.get(recipientKey) ?? 0);
    this.nextFree.set(platformKey, at + 1000 / Math.max(messenger.pace.perSecond, 0.001));
    this.nextFree.set(recipientKey, at + 1000 / Math.max(messenger.pace.perRecipientPerSecond, 0.001));
    if (this.nextFree.size > 10_000) this.prune(now);
    if (at > now) await this.sleepFor(at - now);
  }

  private prune(now: number): void {
    for (const [key, at] of this.nextFree) if (at < now) this.nextFree.delete(key);
  }
}
