import { randomUUID } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import type { Collection } from "mongodb";
import type { SendSlotDoc } from "../../../models";
import type { Messenger } from "../messenger";

/**
 * A platform counts sends when they reach it, and they reach it late by however long a busy
 * machine or the network holds them. Each process lets one send to a platform be on its way at a
 * time (until answered), so held-up sends can arrive bunched at most one per sending instance;
 * a budget of N a second therefore spreads its sends over a second plus this much per instance
 * sending (and one more for a wake-up up to `LATE_MS` late), so that even then no second holds
 * more than N. About one send's spacing at Telegram's 30 a second: one instance loses 7 %, three
 * 14 %, and a budget of less than one a second (a per-minute tier) almost nothing.
 */
export const JITTER_MS = 35;

/**
 * A send that wakes up later than this after its slot (a timer firing late, a process that
 * stalled) gives the slot up and takes a fresh one: sending late is what endangers the limit, a
 * missed slot only costs time.
 */
export const LATE_MS = 20;

/** How long a send on its way may hold up this process's next one before it is taken as lost. */
const UNANSWERED_MS = 10_000;

/** An instance counts as sending to a platform this long after it last reserved a slot there. */
const ACTIVE_MS = 5_000;

/**
 * How long a budget document outlives the last time it was used. Far longer than any slot is
 * reserved ahead (a few sends' worth): a budget is never removed while a slot in it is pending.
 */
const KEEP_MS = 10 * 60_000;

/**
 * Spaces sends so that every instance on one database together stays under a platform's `pace`:
 * overall and per recipient. Each budget is one document holding the next free slot (epoch ms)
 * and the instances that reserved there lately; a reservation is one atomic update that takes
 * the slot and moves the budget on by a spacing that grows with the number of instances, so
 * instances that reserve at once get consecutive slots and then each sleep until their own. A
 * 429 seen by any instance moves the platform's next slot past its retry-after for all of them.
 * Real time, shared by every process, not the engine clock: this is about the platform's limiter.
 */
export class SharedPacer {
  /** Which instance this is, in the budgets' list of senders. */
  private readonly id = randomUUID();
  /** Per platform, this process's send that is on its way: the next waits until it is answered. */
  private readonly onTheirWay = new Map<string, Promise<void>>();

  constructor(
    private readonly slots: Collection<SendSlotDoc>,
    private readonly now: () => number = () => Date.now(),
    private readonly sleepFor: (ms: number) => Promise<unknown> = (ms) => sleep(ms),
  ) {}

  /**
   * Waits until a send to `recipient` fits both the platform's and the recipient's budget, and
   * until this process's previous send to the platform was answered. Returns what to call once
   * this send is answered (or failed).
   */
  async wait(messenger: Pick<Messenger, "platform" | "pace">, recipient: string): Promise<() => void> {
    const { platform, pace } = messenger;
    const recipientKey = `${platform}:to:${recipient}`;
    const recipientInterval = spacing(pace.perRecipientPerSecond, 1);
    let notBefore = this.now();
    for (;;) {
      const slot = await this.reserve(platform, pace.perSecond, notBefore);
      // The recipient's next send is spaced from when this one goes. In a fan-out every recipient
      // is free, and this one update both checks and moves their budget; when another send to the
      // same person holds a later slot, this platform slot is let go and one after theirs taken.
      const busyUntil = await this.claimRecipient(recipientKey, slot, recipientInterval);
      if (busyUntil !== undefined) {
        notBefore = busyUntil;
        continue;
      }
      const sent = await this.sleepUntilOnTime(platform, slot, pace.perSecond, true);
      const answered = this.onItsWay(platform);
      if (sent !== slot) {
        try {
          await this.raise(recipientKey, sent + recipientInterval);
        } catch (error) {
          answered();
          throw error;
        }
      }
      return answered;
    }
  }

  /** Waits for the next slot of one budget of its own (a method's tier, a request limit). */
  async take(key: string, perSecond: number): Promise<void> {
    await this.sleepUntilOnTime(key, await this.reserve(key, perSecond, this.now()), perSecond, false);
  }

  /** The platform answered 429: no instance sends to it again before `retryAfterMs` from now. */
  holdOff(platform: string, retryAfterMs: number): Promise<void> {
    return this.raise(platform, this.now() + retryAfterMs);
  }

  /**
   * Sleeps until `slot` (and, `inTurn`, until this process's send on its way is answered) and
   * returns the slot the send goes in. A send that is late by then would go on top of the next
   * slots' sends and push some second over the limit: it gives the slot up and takes a fresh one.
   */
  private async sleepUntilOnTime(
    key: string,
    slot: number,
    perSecond: number,
    inTurn: boolean,
  ): Promise<number> {
    let at = slot;
    for (;;) {
      const now = this.now();
      if (at > now) await this.sleepFor(at - now);
      for (let ahead = this.onTheirWay.get(key); inTurn && ahead; ahead = this.onTheirWay.get(key)) {
        await ahead;
        if (this.onTheirWay.get(key) === ahead) this.onTheirWay.delete(key);
      }
      if (this.now() - at <= LATE_MS) return at;
      at = await this.reserve(key, perSecond, this.now());
    }
  }

  /** Marks this process's send to `key` as on its way; the returned function marks it answered. */
  private onItsWay(key: string): () => void {
    let answered = () => {};
    const onItsWay = new Promise<void>((resolve) => {
      answered = resolve;
    });
    // A request that hangs (no timeout below it) must not stop this process's sends for good.
    const givenUp = setTimeout(answered, UNANSWERED_MS);
    givenUp.unref();
    this.onTheirWay.set(key, onItsWay);
    return () => {
      clearTimeout(givenUp);
      if (this.onTheirWay.get(key) === onItsWay) this.onTheirWay.delete(key);
      answered();
    };
  }

  /**
   * Takes the budget's next slot at or after `notBefore` and moves the budget on, in one update
   * computed by the database (idle budget or busy, existing or not), so every caller gets a slot
   * of its own. The update also notes this instance as sending and spaces the slot by how many
   * instances do.
   */
  private async reserve(key: string, perSecond: number, notBefore: number): Promise<number> {
    const now = this.now();
    const others = {
      $filter: {
        input: { $objectToArray: { $ifNull: ["$senders", {}] } },
        cond: { $and: [{ $gt: ["$$this.v", now - ACTIVE_MS] }, { $ne: ["$$this.k", this.id] }] },
      },
    };
    const [base, perSender] = spacingParts(perSecond);
    const before = await this.slots.findOneAndUpdate(
      { _id: key },
      [
        { $set: { senders: { $arrayToObject: { $concatArrays: [others, [{ k: this.id, v: now }]] } } } },
        {
          $set: {
            next: {
              $add: [
                atLeast("$next", notBefore),
                base,
                { $multiply: [perSender, { $add: [1, { $size: { $objectToArray: "$senders" } }] }] },
              ],
            },
            expiresAt: atLeast("$expiresAt", new Date(notBefore + KEEP_MS)),
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
 * A budget's slot spacing as `[base, per sender]`: `spacing = base + perSender × (senders + 1)`,
 * a second's sends spread over a second plus `JITTER_MS` per instance sending and one more; a
 * budget of less than one a second gets those margins once per send.
 */
function spacingParts(perSecond: number): [number, number] {
  const rate = Math.max(perSecond, 0.001);
  return [1000 / rate, JITTER_MS / Math.max(rate, 1)];
}

/** The spacing of a budget's slots when `senders` instances send on it. */
export function spacing(perSecond: number, senders: number): number {
  const [base, perSender] = spacingParts(perSecond);
  return base + perSender * (senders + 1);
}

/**
 * A field of the budget document, or `value` when that is later or the field is missing (a new
 * budget): `$ifNull` says the latter explicitly, since `$max` of a missing field is not the same
 * in every store.
 */
function atLeast(field: string, value: number | Date): object {
  return { $max: [{ $ifNull: [field, value] }, value] };
}
