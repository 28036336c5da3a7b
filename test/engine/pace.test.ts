import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import type { Collection } from "mongodb";
import type { Connection } from "mongoose";
import type { SendSlotDoc } from "../../models";
import { bindSendSlotModel } from "../../models/send-slot";
import { JITTER_MS, LATE_MS, SharedPacer, spacing } from "../../src/engine/outbox/pace";
import { dropConnection, freshConnection } from "../support/db";

/** Two pacers on one collection stand for two instances; time is moved by hand. */
describe("outbox pacing shared through the database", () => {
  let connection: Connection;
  let slots: Collection<SendSlotDoc>;
  let now: number;
  let sent: Array<{ who: string; at: number }>;
  beforeAll(async () => {
    connection = await freshConnection("pace");
    slots = connection.collection<SendSlotDoc>("send_slots") as unknown as Collection<SendSlotDoc>;
  });
  afterAll(async () => {
    await dropConnection(connection);
  });

  /**
   * A pacer whose sleep records the moment the send would go, without waiting for it; the send
   * is answered at once. One instance's waits are awaited one after another.
   */
  function instance(name: string): { wait(recipient: string): Promise<void>; pacer: SharedPacer } {
    let wakeAt = 0;
    const pacer = new SharedPacer(
      slots,
      () => now,
      async (ms) => {
        wakeAt = now + ms;
      },
    );
    const telegram = { platform: "telegram" as const, pace: { perSecond: 10, perRecipientPerSecond: 1 } };
    return {
      pacer,
      async wait(recipient) {
        wakeAt = now;
        const answered = await pacer.wait(telegram, recipient);
        sent.push({ who: `${name}:${recipient}`, at: wakeAt });
        answered();
      },
    };
  }

  it("gives instances sending at once consecutive slots, spaced wider the more instances send", async () => {
    await slots.deleteMany({});
    now = 1_000_000;
    sent = [];
    const [a, b, c] = [instance("a"), instance("b"), instance("c")];
    // One instance, then two, then three: each reservation spaces the next slot by how many send.
    for (const [i, one] of [a, b, c].entries()) await one.wait(`first${i}`);
    await Promise.all(
      [a, b, c].map(async (one, i) => {
        for (let n = 0; n < 10; n++) await one.wait(`user${i}-${n}`);
      }),
    );
    const times = sent.map((s) => s.at).sort((x, y) => x - y);
    expect(times[1]! - times[0]!).toBeCloseTo(spacing(10, 1), 6);
    expect(times[2]! - times[1]!).toBeCloseTo(spacing(10, 2), 6);
    for (let i = 3; i < times.length; i++) expect(times[i]! - times[i - 1]!).toBeCloseTo(spacing(10, 3), 6);
    // Under the limit, with room left in every second for a send of each instance held up on its
    // way: three instances on a budget of ten a second get seven slots a second (and LATE_MS).
    expect(times[10]! - times[3]!).toBeCloseTo(1000 + LATE_MS, 6);
  });

  it("leaves room in every second for every send on its way to arrive held up among the slots", () => {
    for (const perSecond of [10, 25, 30, 50]) {
      for (let instances = 1; instances <= perSecond / 2; instances++) {
        // Slots in any stretch of a second and LATE_MS, plus one bunched send of each instance.
        // (A hair under the stretch: a window ending exactly on a slot does not hold it.)
        const slots = Math.ceil((1000 + LATE_MS) / spacing(perSecond, instances) - 1e-9);
        expect(slots + instances).toBeLessThanOrEqual(perSecond);
      }
    }
  });

  it("lets one send per process be on its way to a platform, more when answers are slow, and spaces for them", async () => {
    await slots.deleteMany({});
    now = 1_500_000;
    // The sleep until a slot returns at once and tells the test that the wait got that far.
    let sleptUntilSlot = () => {};
    const pacer = new SharedPacer(
      slots,
      () => now,
      async () => sleptUntilSlot(),
    );
    const telegram = { platform: "telegram" as const, pace: { perSecond: 10, perRecipientPerSecond: 1 } };
    /** Starts a wait and returns once its slot has come (its database work is done). */
    const startWaiting = async (recipient: string) => {
      const slotCame = new Promise<void>((resolve) => {
        sleptUntilSlot = resolve;
      });
      const wait = { done: false, answered: Promise.resolve(() => {}) };
      wait.answered = pacer.wait(telegram, recipient).then((answered) => {
        wait.done = true;
        return answered;
      });
      await slotCame;
      for (let i = 0; i < 10; i++) await new Promise((resolve) => setImmediate(resolve));
      return wait;
    };

    const first = await pacer.wait(telegram, "ann");
    const second = await startWaiting("bob");
    expect(second.done).toBe(false);
    first();
    const answerSecond = await second.answered;
    // That answer took a second: at ten a second, this process's share sends two in such a time.
    now += 1000;
    answerSecond();

    const [a, b] = [await pacer.wait(telegram, "carl"), await pacer.wait(telegram, "dora")];
    const third = await startWaiting("emil");
    expect(third.done).toBe(false);
    a();
    (await third.answered)();
    b();
    // The budget keeps room for both: its slots are spaced for two sends on their way.
    const budget = await slots.findOne({ _id: "telegram" });
    expect(Object.values(budget!.senders!).map((s) => s.room)).toEqual([2]);
    expect(spacing(10, 2)).toBeGreaterThan(spacing(10, 1));
  });

  it("spaces sends to one recipient by its own pace, from when they really go", async () => {
    await slots.deleteMany({});
    now = 2_000_000;
    sent = [];
    const [a, b] = [instance("a"), instance("b")];
    // Ten others queue first, so ann's first send goes late; her second is spaced from that.
    await Promise.all(Array.from({ length: 10 }, (_, i) => a.wait(`other${i}`)));
    await a.wait("ann");
    await b.wait("ann");
    const ann = sent.filter((s) => s.who.endsWith(":ann")).map((s) => s.at);
    expect(ann[1]! - ann[0]!).toBeCloseTo(spacing(1, 1), 6);
  });

  it("gives up a slot it woke too late for and sends in a fresh one, spacing the recipient from that", async () => {
    await slots.deleteMany({});
    const start = 6_000_000;
    now = start;
    sent = [];
    const other = instance("other");
    for (const who of ["x", "y", "z"]) await other.wait(who);
    // This instance's first wake-up comes LATE_MS + 5 ms after the time it asked for.
    let lateBy = LATE_MS + 5;
    const pacer = new SharedPacer(
      slots,
      () => now,
      async (ms) => {
        now += ms + lateBy;
        lateBy = 0;
      },
    );
    const answered = await pacer.wait(
      { platform: "telegram", pace: { perSecond: 10, perRecipientPerSecond: 1 } },
      "dan",
    );
    answered();
    // Three slots one sender apart, the fourth (two senders now) went by unused; it sent in the fifth, on time.
    const fourth = start + 3 * spacing(10, 1);
    expect(now).toBeCloseTo(fourth + spacing(10, 2), 6);
    const budget = await slots.findOne({ _id: "telegram" });
    expect(budget!.next).toBeCloseTo(fourth + 2 * spacing(10, 2), 6);
    const dan = await slots.findOne({ _id: "telegram:to:dan" });
    expect(dan!.next).toBeCloseTo(fourth + spacing(10, 2) + spacing(1, 1), 6);
  });

  it("holds every instance off for a 429's retry-after", async () => {
    await slots.deleteMany({});
    now = 3_000_000;
    sent = [];
    const [a, b] = [instance("a"), instance("b")];
    await a.pacer.holdOff("telegram", 5_000);
    await b.wait("bob");
    expect(sent[0]!.at).toBe(3_005_000);
  });

  it("paces a messenger's own budget (a method's tier) across instances", async () => {
    await slots.deleteMany({});
    now = 5_000_000;
    const waits: number[] = [];
    // Three instances, each taking one slot of Slack's conversations.open (50 a minute).
    for (let i = 0; i < 3; i++) {
      const pacer = new SharedPacer(
        slots,
        () => now,
        async (ms) => {
          waits.push(ms);
        },
      );
      await pacer.take("slack:conversations.open", 50 / 60);
    }
    expect(waits).toHaveLength(2); // the first goes at once
    // A budget of less than one a second: the margin comes once per send, a small part of it.
    expect(waits[0]).toBeCloseTo(1200 + JITTER_MS, 6);
    expect(waits[1]).toBeCloseTo(2 * (1200 + JITTER_MS), 6);
  });

  it("lets a budget nobody used for a while expire, through the TTL index", async () => {
    await bindSendSlotModel(connection).init();
    const indexes = await slots.listIndexes().toArray();
    expect(indexes.find((index) => index.key.expiresAt === 1)?.expireAfterSeconds).toBe(0);

    await slots.deleteMany({});
    now = 4_000_000;
    sent = [];
    await instance("a").wait("carol");
    const recipient = await slots.findOne({ _id: "telegram:to:carol" });
    // Kept well past its next slot (a pending slot is never lost), gone within minutes after.
    expect(recipient!.expiresAt.getTime()).toBeGreaterThan(recipient!.next + 60_000);
    expect(recipient!.expiresAt.getTime()).toBeLessThanOrEqual(now + 15 * 60_000);
  });
});
