import { setTimeout as sleep } from "node:timers/promises";
import type { Collection } from "mongodb";
import type { SendSlotDoc } from "../../../models";
import type { Messenger } from "../messenger";

/**
 * How much later than its slot a send may reach the platform's rate limiter: a timer that fires
 * late, a busy event loop between the wake-up and the request, the request's way through the
 * network, the limiter's own clock. A limit of N a second counts N sends in any second; if the
 * sends are spread evenly over a second plus this margin, no second holds more than N however
 * they are delayed, as long as no send is delayed by more than the margin. The loss is a fixed
 * time per window (about 7 % of a second), not a fixed fraction of the rate: a per-minute limit
 * loses almost nothing.
 */
export const JITTER_MS = 70;

/**
 * A send that wakes up later than this after its slot gives the slot up and takes a fresh one:
 * sent that late it would eat too much of `JITTER_MS`, which must also cover what happens after
 * the wake-up. Sending late is what endangers the limit; a missed slot only costs time.
 */
export const LATE_MS = 20;

/**
 * How long a budget document outlives the last time it was used. Far longer than any slot is
 * reserved ahead (a few sends' worth): a budget is never removed while a slot in it is pending.
 */
const KEEP_MS = 10 * 60_000;

/**
 * Spaces sends so that every instance on one database together stays under a platform's `pace`:
 * overall and per recipient. Each budget is one document holding the next free slot (epoch ms);
 * a reservation is one atomic update that takes the slot and moves the budget on, so instances
 * that reserve at once get consecutive slots and then each sleep until their own. A 429 seen by
 * any instance moves the platform's next slot past its retry-after for all of them. Real time,
 * shared by every process, not the engine clock: this is about the platform's rate limiter.
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
    const interval = intervalMs(pace.perSecond);
    const recipientInterval = intervalMs(pace.perRecipientPerSecond);
    let notBefore = this.now();
    for (;;) {
      const slot = await this.reserve(platform, interval, notBefore);
      // The recipient's next send is spaced from when this one goes. In a fan-out every recipient
      // is free, and this one update both checks and moves their budget; when another send to the
      // same person holds a later slot, this platform slot is let go and one after theirs taken.
      const busyUntil = await this.claimRecipient(recipientKey, slot, recipientInterval);
      if (busyUntil !== undefined) {
        notBefore = busyUntil;
        continue;
      }
      const sent = await this.sleepUntilOnTime(platform, slot, interval);
      if (sent !== slot) await this.raise(recipientKey, sent + recipientInterval);
      return;
    }
  }

  /** Waits for the next slot of one budget of its own (a method's tier, a request limit). */
  async take(key: string, perSecond: number): Promise<void> {
    const interval = intervalMs(perSecond);
    await this.sleepUntilOnTime(key, await this.reserve(key, interval, this.now()), interval);
  }

  /** The platform answered 429: no instance sends to it again before `retryAfterMs` from now. */
  holdOff(platform: string, retryAfterMs: number): Promise<void> {
    return this.raise(platform, this.now() + retryAfterMs);
  }

  /**
   * Sleeps until `slot` and returns the slot the send goes in. A process that wakes well after its
   * slot (a busy machine, a slow database reply) would send on top of the next slots' sends and
   * push some second over the limit: it gives the slot up and takes a fresh one instead.
   */
  private async sleepUntilOnTime(key: string, slot: number, interval: number): Promise<number> {
    let at = slot;
    for (;;) {
      const now = this.now();
      if (at > now) await this.sleepFor(at - now);
      if (this.now() - at <= LATE_MS) return at;
      at = await this.reserve(key, interval, this.now());
    }
  }

  /**
   * Takes the budget's next slot at or after `notBefore` and moves the budget on by `interval`, in
   * one update computed by the database (idle budget or busy, existing or not), so every caller
   * gets a slot of its own.
   */
  private async reserve(key: string, interval: number, notBefore: number): Promise<number> {
    const slot = atLeast("$next", notBefore);
    const before = await this.slots.findOneAndUpdate(
      { _id: key },
      [
        {
          $set: {
            next: { $add: [slot, interval] },
            expiresAt: atLeast("$expiresAt", new Date(notBefore + interval + KEEP_MS)),
          },
        },
      ],
      { upsert: true, returnDocument: "before", projection: { next: 1 } },
    );
    return Math.max(before?.next ?? notBefore, notBefore);
  }

  /**
   * Moves the recipient's budget to `slot + interval` if they are free at `slot`; returns when
   * they are free otherwise (another send to them holds a later slot), changing nothing.
   */
  private async claimRecipient(key: string, slot: number, interval: number): Promise<number | undefined> {
    const free = { $lte: [{ $ifNull: ["$next", slot] }, slot] };
    const before = await this.slots.findOneAndUpdate(
      { _id: key },
      [
        {
          $set: {
            next: { $cond: [free, slot + interval, "$next"] },
            expiresAt: atLeast("$expiresAt", new Date(slot + interval + KEEP_MS)),
          },
        },
      ],
      { upsert: true, returnDocument: "before", projection: { next: 1 } },
    );
    return before && before.next > slot ? before.next : undefined;
  }

  /** Moves a budget's next slot to `until` unless it is later already. */
  private async raise(key: string, until: number): Promise<void> {
    await this.slots.updateOne(
      { _id: key },
      { $max: { next: until, expiresAt: new Date(until + KEEP_MS) } },
      { upsert: true },
    );
  }
}

/**
 * The spacing of a budget's slots: a second's sends spread over a second plus `JITTER_MS`; a
 * budget of less than one a second (a per-minute tier) gets the margin once per send.
 */
export function intervalMs(perSecond: number): number {
  const rate = Math.max(perSecond, 0.001);
  return 1000 / rate + JITTER_MS / Math.max(rate, 1);
}

/**
 * A field of the budget document, or `value` when that is later or the field is missing (a new
 * budget): `$ifNull` says the latter explicitly, since `$max` of a missing field is not the same
 * in every store.
 */
function atLeast(field: string, value: number | Date): object {
  return { $max: [{ $ifNull: [field, value] }, value] };
}
