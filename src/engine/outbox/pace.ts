import { setTimeout as sleep } from "node:timers/promises";
import type { Collection } from "mongodb";
import type { SendSlotDoc } from "../../../models";
import type { Messenger } from "../messenger";

/**
 * How far under a platform's published limit sends are spaced: on the limit, the jitter of a busy
 * machine or network already puts one send too many into some second, and the platform answers 429.
 * At 93% three instances on a busy machine still drew a 429 now and then; 85% has drawn none.
 */
export const HEADROOM = 0.85;

/**
 * Waking up more than one interval (and at least this much) after a slot counts as missing it:
 * the headroom leaves room in every second for about two sends that late, and on a busy machine
 * several lanes tend to be late together.
 */
const LATE_MS = 25;

/**
 * How long a budget document outlives the last time it was used. Far longer than any slot is
 * reserved ahead (a few sends' worth): a budget is never removed while a slot in it is pending.
 */
const KEEP_MS = 10 * 60_000;

/**
 * Spaces sends so that every instance on one database together stays under a platform's `pace`:
 * overall and per recipient. Each budget is one document holding the next free slot (epoch ms),
 * moved on by atomic updates with plain operators, so instances that reserve at once get
 * consecutive slots and then each sleep until their own. A 429 seen by any instance moves the
 * platform's next slot past its retry-after for all of them. Real time, shared by every process,
 * not the engine clock: this is about the platform's rate limiter.
 */
export class SharedPacer {
  constructor(
    private readonly slots: Collection<SendSlotDoc>,
    private readonly now: () => number = () => Date.now(),
    private readonly sleepFor: (ms: number) => Promise<unknown> = (ms) => sleep(ms),
  ) {}

  /** Waits until a send to `recipient` fits both the platform's and the recipient's budget. */
  async wait(messenger: Pick<Messenger, "platform" | "pace">, recipient: string): Promise<void> {
    const { platform, pace } = messenger;
    const recipientKey = `${platform}:to:${recipient}`;
    const recipientInterval = intervalMs(pace.perRecipientPerSecond);
    for (;;) {
      const now = this.now();
      const free = await this.slots.findOneAndUpdate(
        { _id: recipientKey },
        { $max: { next: now, expiresAt: new Date(now + KEEP_MS) } },
        { upsert: true, returnDocument: "after", projection: { next: 1 } },
      );
      const earliest = free?.next ?? now;
      const slot = await this.reserve(platform, intervalMs(pace.perSecond), earliest);
      // The recipient's next send is spaced from when this one really goes (behind other
      // recipients' sends it may go later than `earliest`). Compare-and-set: had another send to
      // the same person moved the budget meanwhile, this slot is let go and a new one taken.
      const taken = await this.slots.updateOne(
        { _id: recipientKey, next: earliest },
        { $set: { next: slot + recipientInterval, expiresAt: new Date(slot + recipientInterval + KEEP_MS) } },
      );
      if (taken.modifiedCount !== 1) continue;
      const sent = await this.sleepUntilOnTime(platform, slot, intervalMs(pace.perSecond));
      if (sent !== slot) await this.raise(recipientKey, sent + recipientInterval);
      return;
    }
  }

  /** Waits for the next slot of one budget of its own (a method's tier, a request limit). */
  async take(key: string, perSecond: number): Promise<void> {
    const interval = intervalMs(perSecond);
    await this.sleepUntilOnTime(key, await this.reserve(key, interval, this.now()), interval);
  }

  /**
   * Sleeps until `slot` and returns the slot the send goes in. A process that wakes well after its
   * slot (a busy machine, a slow database reply) would send on top of the next slots' sends and
   * push some second over the limit: it gives the slot up once and takes a fresh one instead.
   */
  private async sleepUntilOnTime(key: string, slot: number, interval: number): Promise<number> {
    await this.sleepUntil(slot);
    if (this.now() - slot <= Math.max(interval, LATE_MS)) return slot;
    const fresh = await this.reserve(key, interval, this.now());
    await this.sleepUntil(fresh);
    return fresh;
  }

  private async sleepUntil(at: number): Promise<void> {
    const now = this.now();
    if (at > now) await this.sleepFor(at - now);
  }

  /** The platform answered 429: no instance sends to it again before `retryAfterMs` from now. */
  holdOff(platform: string, retryAfterMs: number): Promise<void> {
    return this.raise(platform, this.now() + retryAfterMs);
  }

  /** Moves a budget's next slot to `until` unless it is later already. */
  private async raise(key: string, until: number): Promise<void> {
    await this.slots.updateOne(
      { _id: key },
      { $max: { next: until, expiresAt: new Date(until + KEEP_MS) } },
      { upsert: true },
    );
  }

  /**
   * Takes the budget's next slot at or after `notBefore` and moves the budget on by `interval`.
   * Busy (the next slot is later): one `$inc`, which hands every caller a distinct slot. Idle: the
   * next slot is first raised to `notBefore` with `$max`, then taken the same way.
   */
  private async reserve(key: string, interval: number, notBefore: number): Promise<number> {
    for (;;) {
      const before = await this.slots.findOneAndUpdate(
        { _id: key, next: { $gte: notBefore } },
        { $inc: { next: interval }, $max: { expiresAt: new Date(notBefore + KEEP_MS) } },
        { returnDocument: "before", projection: { next: 1 } },
      );
      if (before) return before.next;
      await this.raise(key, notBefore);
    }
  }
}

function intervalMs(perSecond: number): number {
  return 1000 / (Math.max(perSecond, 0.001) * HEADROOM);
}
