import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import type { Collection } from "mongodb";
import type { Connection } from "mongoose";
import type { SendSlotDoc } from "../../models";
import { bindSendSlotModel } from "../../models/send-slot";
import { intervalMs, JITTER_MS, LATE_MS, SharedPacer } from "../../src/engine/outbox/pace";
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

  /** A pacer whose sleep records the moment the send would go, without waiting for it. */
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
        await pacer.wait(telegram, recipient);
        sent.push({ who: `${name}:${recipient}`, at: wakeAt });
      },
    };
  }

  it("gives instances sending at once consecutive slots, spaced under the platform's pace", async () => {
    await slots.deleteMany({});
    now = 1_000_000;
    sent = [];
    const [a, b, c] = [instance("a"), instance("b"), instance("c")];
    await Promise.all(Array.from({ length: 30 }, (_, i) => [a, b, c][i % 3]!.wait(`user${i}`)));
    const times = sent.map((s) => s.at).sort((x, y) => x - y);
    const spacing = intervalMs(10);
    const expected = times.map((_, i) => 1_000_000 + i * spacing);
    times.forEach((at, i) => {
      expect(at).toBeCloseTo(expected[i]!, 6);
    });
    // Under the limit, not on it: eleven sends span a second and the margin for jitter.
    expect(times[10]! - times[0]!).toBeCloseTo(1000 + JITTER_MS, 6);
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
    expect(ann[1]! - ann[0]!).toBeCloseTo(intervalMs(1), 6);
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
    await pacer.wait({ platform: "telegram", pace: { perSecond: 10, perRecipientPerSecond: 1 } }, "dan");
    const interval = intervalMs(10);
    // Its slot (the fourth) went by unused; it sent in the fifth, on time.
    expect(now).toBeCloseTo(start + 4 * interval, 6);
    const budget = await slots.findOne({ _id: "telegram" });
    expect(budget!.next).toBeCloseTo(start + 5 * interval, 6);
    const dan = await slots.findOne({ _id: "telegram:to:dan" });
    expect(dan!.next).toBeCloseTo(start + 4 * interval + intervalMs(1), 6);
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
    const spacing = intervalMs(50 / 60);
    expect(waits).toHaveLength(2); // the first goes at once
    expect(waits[0]).toBeCloseTo(spacing, 6);
    expect(waits[1]).toBeCloseTo(2 * spacing, 6);
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
