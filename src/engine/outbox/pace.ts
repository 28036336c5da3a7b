import { randomUUID } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import type { Collection } from "mongodb";
import type { SendSlotDoc } from "../../../models";
import type { Messenger } from "../messenger";
import { SendsOnTheirWay } from "./on-their-way";

/**
 * A platform counts sends when they reach it, and they reach it late by however long a busy
 * machine or the network holds them up; sends held up together arrive bunched. A fixed fraction
 * of the rate (85 % before) guards against that only as far as the hold-up stays small. Instead,
 * each process limits the sends it has on their way to a platform at once (until answered): one,
 * or as many as its share of the rate needs while answers take long (a distant platform). However
 * long they are held up, a bunch then holds at most those, and every budget keeps that much room
 * in each second (see `spacing`). A budget too slow to spare the room (one a second to a
 * recipient, a per-minute tier) is spread over its period plus this margin instead.
 */
export const JITTER_MS = 70;

/**
 * A send that wakes up later than this after its slot (a timer firing late, a process that
 * stalled) gives the slot up and takes a fresh one: sending late is what endangers the limit, a
 * missed slot only costs time.
 */
export const LATE_MS = 20;

/** How long a send on its way may hold up this process's next one before it is taken as lost. */
const UNANSWERED_MS = 10_000;

/** Room counted one send at a time; beyond this much the spacing is the cautious one of `JITTER_MS`. */
const MOST_ROOM = 16;

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
 * and the instances that reserved there lately with the room each keeps; a reservation is one
 * atomic update that takes the slot and moves the budget on by the spacing for that room, so
 * instances that reserve at once get consecutive slots and then each sleep until their own. A
 * 429 seen by any instance moves the platform's next slot past its retry-after for all of them.
 * Real time, shared by every process, not the engine clock: this is about the platform's limiter.
 */
export class SharedPacer {
  /** Which instance this is, in the budgets' list of senders. */
  private readonly id = randomUUID();
  private readonly onTheirWay: SendsOnTheirWay;
  /** Per budget, how many instances sent there lately, as the last reservation found. */
  private readonly instances = new Map<string, number>();

  constructor(
    private readonly slots: Collection<SendSlotDoc>,
    private readonly now: () => number = () => Date.now(),
    private readonly sleepFor: (ms: number) => Promise<unknown> = (ms) => sleep(ms),
  ) {
    this.onTheirWay = new SendsOnTheirWay(now, UNANSWERED_MS);
  }

  /**
   * Waits until a send to `recipient` fits both the platform's and the recipient's budget, and
   * until this process has room for one more send on its way there. Returns what to call once
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
      const { at, answered } = await this.sleepUntilOnTime(platform, slot, pace.perSecond);
      if (at !== slot) {
        try {
          await this.raise(recipientKey, at + recipientInterval);
        } catch (error) {
          answered();
          throw error;
        }
      }
      return answered;
    }
  }

  /**
   * Waits for the next slot of one budget of its own (a method's tier, a request limit), and for
   * room for one more request of this process on its way there. Returns what to call once this
   * one is answered.
   */
  async take(key: string, perSecond: number): Promise<() => void> {
    const { answered } = await this.sleepUntilOnTime(
      key,
      await this.reserve(key, perSecond, this.now()),
      perSecond,
    );
    return answered;
  }

  /** The platform answered 429: no instance sends to it again before `retryAfterMs` from now. */
  holdOff(platform: string, retryAfterMs: number): Promise<void> {
    return this.raise(platform, this.now() + retryAfterMs);
  }

  /**
   * Sleeps until `slot` and until this process has room for one more send on its way; returns
   * the slot the send goes in, with the send marked as on its way (no await in between, so no
   * other send of this process slips in). A send that is late by then would go on top of the
   * next slots' sends and push some second over the limit: it gives the slot up and takes a
   * fresh one.
   */
  private async sleepUntilOnTime(
    key: string,
    slot: number,
    perSecond: number,
  ): Promise<{ at: number; answered: () => void }> {
    let at = slot;
    for (;;) {
      const now = this.now();
      if (at > now) await this.sleepFor(at - now);
      while (this.onTheirWay.out(key) >= this.room(key, perSecond)) await this.onTheirWay.nextAnswer(key);
      // No await from the check to the count: no other send of this process slips in between.
      if (this.now() - at <= LATE_MS) return { at, answered: this.onTheirWay.start(key) };
      at = await this.reserve(key, perSecond, this.now());
    }
  }

  /**
   * How many sends this process may have on their way to a budget: what its share of the rate
   * sends in the time answers take (so a distant platform is not sent to one request at a time),
   * at least one. The instances together keep that much room in every second (see `spacing`).
   */
  private room(key: string, perSecond: number): number {
    // A send whose slot comes while the room is full may wait up to LATE_MS for an answer.
    const share = perSecond / (this.instances.get(key) ?? 1);
    const needed = Math.ceil((share * (this.onTheirWay.answerMs(key) - LATE_MS)) / 1000);
    return Math.min(MOST_ROOM, Math.max(1, needed));
  }

  /**
   * Takes the budget's next slot at or after `notBefore` and moves the budget on, in one update
   * computed by the database (idle budget or busy, existing or not), so every caller gets a slot
   * of its own. The update also notes this instance as sending, with the room it keeps, and spaces
   * the slot by the room all of them keep.
   */
  private async reserve(key: string, perSecond: number, notBefore: number): Promise<number> {
    const now = this.now();
    const others = {
      $filter: {
        input: { $objectToArray: { $ifNull: ["$senders", {}] } },
        cond: { $and: [{ $gt: ["$$this.v.at", now - ACTIVE_MS] }, { $ne: ["$$this.k", this.id] }] },
      },
    };
    const me = { k: this.id, v: { at: now, room: this.room(key, perSecond) } };
    // The spacing for each room the instances keep, looked up by the database with the sum.
    const byRoom = Array.from({ length: MOST_ROOM + 2 }, (_, room) => spacing(perSecond, room));
    const room = { $sum: { $map: { input: { $objectToArray: "$senders" }, in: "$$this.v.room" } } };
    const before = await this.slots.findOneAndUpdate(
      { _id: key },
      [
        { $set: { senders: { $arrayToObject: { $concatArrays: [others, [me]] } } } },
        {
          $set: {
            next: {
              $add: [
                atLeast("$next", notBefore),
                { $arrayElemAt: [byRoom, { $min: [room, MOST_ROOM + 1] }] },
              ],
            },
            expiresAt: atLeast("$expiresAt", new Date(notBefore + KEEP_MS)),
          },
        },
      ],
      { upsert: true, returnDocument: "before", projection: { next: 1, senders: 1 } },
    );
    const active = Object.entries(before?.senders ?? {}).filter(
      ([id, s]) => id !== this.id && s.at > now - ACTIVE_MS,
    );
    this.instances.set(key, active.length + 1);
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
 * The spacing of a budget's slots when the instances sending on it may have `onTheirWay` sends
 * on their way at once (together). A second of N sends holds N - onTheirWay slots, spread over a
 * second and `LATE_MS` (a send goes up to that late): with every send on its way held up and
 * arriving among them, no second holds more than N. With one each, that costs one instance 5.5 %
 * of Telegram's 30 a second and three 13 %. A budget with less than twice that room (or more than
 * `MOST_ROOM` on their way) is spread over its period and `JITTER_MS` instead.
 */
export function spacing(perSecond: number, onTheirWay: number): number {
  const room = perSecond - onTheirWay;
  if (room >= perSecond / 2 && onTheirWay <= MOST_ROOM) return (1000 + LATE_MS) / room;
  return 1000 / Math.max(perSecond, 0.001) + JITTER_MS;
}

/** A field of the budget document, or `value` when that is later or the field is missing (a new budget). */
function atLeast(field: string, value: number | Date): object {
  return { $max: [field, value] };
}
