import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import type { Connection } from "mongoose";
import { OutboxWorker } from "../../src/engine/outbox";
import { dropConnection, freshConnection } from "../support/db";
import { engineOn, type Harness, people } from "./support/harness";
import { RecordingMessenger } from "./support/recording-messenger";

describe("the outbox", () => {
  let connection: Connection;
  let h: Harness;
  let org: string;
  let bob: string;
  beforeAll(async () => {
    connection = await freshConnection("outbox");
    h = await engineOn(connection, { outbox: { leaseMs: 30_000, backoffBaseMs: 1_000, maxDmAttempts: 4 } });
    [org, bob] = (await people(h.engine, "org", "bob")) as [string, string];
  });
  afterAll(async () => {
    await dropConnection(connection);
  });

  async function inviteBob(): Promise<string> {
    await h.engine.groups.open(org, "KB-75", { members: [bob] });
    const pending = await h.engine.outbox.list({ status: "pending", kind: "dm" });
    expect(pending).toHaveLength(1);
    return pending[0]?._id ?? "";
  }

  it("writes a DM in the same step as the state change and delivers it once, with its stable id", async () => {
    h.messenger.clear();
    const id = await inviteBob();
    expect(await h.engine.outbox.runOnce()).toBe(1);
    expect(await h.engine.outbox.runOnce()).toBe(0);
    expect(h.messenger.sent.map((m) => m.id)).toEqual([id]);
    expect((await h.engine.outbox.list({ status: "sent" })).map((m) => m._id)).toContain(id);
  });

  it("a worker killed between claim and send: after the lease expires the message is sent once", async () => {
    h.messenger.clear();
    const id = await inviteBob();
    const doomed = new OutboxWorker(h.engine.core.ctx, undefined, { leaseMs: 30_000 });
    doomed.registerMessenger(new RecordingMessenger("playground"));
    const claimed = await doomed.claim();
    expect(claimed?._id).toBe(id);
    // The doomed worker "dies" here: it never sends and never records anything.

    expect(await h.engine.outbox.runOnce()).toBe(0); // still leased
    h.clock.advance(30_000);
    expect(await h.engine.outbox.runOnce()).toBe(1);
    expect(await h.engine.outbox.runOnce()).toBe(0);
    expect(h.messenger.sent.map((m) => m.id)).toEqual([id]);

    // Had the doomed worker woken up late, its outcome would not overwrite the real one.
    if (claimed) await doomed.deliver(claimed);
    expect((await h.engine.outbox.list({ status: "sent" })).filter((m) => m._id === id)).toHaveLength(1);
  });

  it("a pass whose shipping relay fails still delivers the messages already queued", async () => {
    h.messenger.clear();
    const id = await inviteBob();
    const messenger = new RecordingMessenger("playground");
    const worker = new OutboxWorker(h.engine.core.ctx, undefined, {}, async () => {
      throw new Error("orders read timed out");
    });
    worker.registerMessenger(messenger);
    expect(await worker.runOnce()).toBe(1);
    expect(messenger.sent.map((m) => m.id)).toEqual([id]);
  });

  it("honours a platform's retryAfterMs, then delivers", async () => {
    h.messenger.clear();
    await inviteBob();
    let calls = 0;
    h.messenger.answer = () =>
      calls++ === 0 ? { ok: false, retryable: true, reason: "429", retryAfterMs: 90_000 } : { ok: true };
    try {
      await h.engine.outbox.runOnce();
      // The 429 also held the platform's shared send budget off for 90 real seconds (the pacer
      // runs on real time); this test moves only the engine clock, so it lets that go.
      expect(
        await connection.collection("send_slots").deleteOne({ _id: "playground" as never }),
      ).toMatchObject({
        deletedCount: 1,
      });
      h.clock.advance(89_999);
      await h.engine.outbox.runOnce();
      expect(h.messenger.sent).toHaveLength(0);
      h.clock.advance(1);
      await h.engine.outbox.runOnce();
      expect(h.messenger.sent).toHaveLength(1);
      // A 429 is a wait the platform named, not a failed attempt.
      const [doc] = (await h.engine.outbox.list()).filter((m) => m._id === h.messenger.sent[0]?.id);
      expect(doc?.attempts).toBe(1);
    } finally {
      h.messenger.answer = () => ({ ok: true });
    }
  });

  it("never gives up a DM for 429s, however many in a row", async () => {
    h.messenger.clear();
    const id = await inviteBob();
    h.messenger.answer = () => ({ ok: false, retryable: true, reason: "429", retryAfterMs: 1 });
    try {
      for (let i = 0; i < 6; i++) {
        await h.engine.outbox.runOnce();
        h.clock.advance(1);
      }
      const [doc] = (await h.engine.outbox.list()).filter((m) => m._id === id);
      expect(h.messenger.attempts.length).toBeGreaterThan(4); // maxDmAttempts is 4 here
      expect(doc).toMatchObject({ status: "pending", attempts: 0 });
    } finally {
      h.messenger.answer = () => ({ ok: true });
    }
    await h.engine.outbox.runOnce();
    expect(h.messenger.sent.map((m) => m.id)).toEqual([id]);
  });

  it("removes delivered messages after the retention and keeps failed ones for the operator", async () => {
    const days = 24 * 3_600_000;
    const fresh = await freshConnection("retention");
    try {
      const r = await engineOn(fresh, { outbox: { retentionMs: 7 * days, maxDmAttempts: 1 } });
      const [ann, cid, dee] = (await people(r.engine, "ann", "cid", "dee")) as [string, string, string];
      r.messenger.answer = (m) =>
        m.userId === "dee" ? { ok: false, retryable: false, reason: "DMs closed" } : { ok: true };
      const { code } = await r.engine.groups.open(ann, "KB-75", { size: 2, max: 3, members: [cid, dee] });
      await r.engine.groups.join(cid, code); // a shipping request, kept while no URL is set
      await r.engine.outbox.runOnce();
      const statuses = async () => (await r.engine.outbox.list()).map((m) => `${m.kind}:${m.status}`).sort();
      expect(await statuses()).toEqual(["dm:failed", "dm:sent", "shipping:held"]);

      r.clock.advance(7 * days - 1);
      expect(await r.engine.outbox.purgeDelivered()).toBe(0);
      r.clock.advance(1);
      expect(await r.engine.outbox.purgeDelivered()).toBe(1);
      expect(await statuses()).toEqual(["dm:failed", "shipping:held"]);
    } finally {
      await dropConnection(fresh);
    }
  });

  it("retries transient failures with growing back-off and records a permanent failure on the user", async () => {
    h.messenger.clear();
    const id = await inviteBob();
    h.messenger.answer = () => ({ ok: false, retryable: true, reason: "timeout" });
    try {
      const due: number[] = [];
      for (let attempt = 1; attempt <= 4; attempt++) {
        await h.engine.outbox.runOnce();
        const [doc] = (await h.engine.outbox.list()).filter((m) => m._id === id);
        if (doc?.status !== "pending") break;
        due.push(doc.nextAttemptAt.getTime() - h.clock.now().getTime());
        h.clock.advance(doc.nextAttemptAt.getTime() - h.clock.now().getTime());
      }
      expect(due).toEqual([1_000, 2_000, 4_000]);
      expect(h.messenger.attempts).toHaveLength(4);
      const [doc] = (await h.engine.outbox.list()).filter((m) => m._id === id);
      expect(doc).toMatchObject({ status: "failed", lastError: "timeout" });
      expect((await h.engine.users.get(bob))?.dmFailure?.reason).toBe("timeout");
    } finally {
      h.messenger.answer = () => ({ ok: true });
    }
    // A later successful DM clears the mark.
    await inviteBob();
    await h.engine.outbox.runOnce();
    expect((await h.engine.users.get(bob))?.dmFailure).toBeNull();
  });

  it("records a permanent (non-retryable) failure at once", async () => {
    h.messenger.clear();
    await inviteBob();
    h.messenger.answer = () => ({ ok: false, retryable: false, reason: "bot was never started" });
    try {
      await h.engine.outbox.runOnce();
    } finally {
      h.messenger.answer = () => ({ ok: true });
    }
    expect(h.messenger.attempts).toHaveLength(1);
    expect((await h.engine.users.get(bob))?.dmFailure?.reason).toBe("bot was never started");
  });

  it("a user whose DMs failed for good gets them again once they write to the bot", async () => {
    h.messenger.clear();
    const id = await inviteBob();
    h.messenger.answer = () => ({ ok: false, retryable: false, reason: "bot was never started" });
    try {
      await h.engine.outbox.runOnce();
    } finally {
      h.messenger.answer = () => ({ ok: true });
    }
    expect(h.messenger.sent).toHaveLength(0);
    const touched = await h.engine.users.touch({ platform: "playground", id: "bob", displayName: "bob" });
    expect(touched.dmFailure).toBeNull();
    await h.engine.outbox.runOnce();
    // Earlier tests' failed DMs to bob come back too: every recent undelivered DM is retried.
    expect(h.messenger.sent.map((m) => m.id)).toContain(id);
    expect(await h.engine.outbox.list({ status: "failed" })).toEqual([]);
  });

  it("leaves DMs for a platform without a messenger pending until one registers", async () => {
    await h.engine.groups.open(org, "KB-75", { members: ["telegram:42"] });
    await h.engine.outbox.runOnce();
    expect((await h.engine.outbox.list({ status: "pending", kind: "dm" })).map((m) => m.platform)).toEqual([
      "telegram",
    ]);
    const telegram = new RecordingMessenger("telegram");
    h.engine.registerMessenger(telegram);
    await h.engine.outbox.runOnce();
    expect(telegram.sent.map((m) => m.userId)).toEqual(["42"]);
  });

  it("keeps shipping requests and logs them when no fulfillment URL is configured", async () => {
    const { code } = await h.engine.groups.open(org, "KB-75", { size: 2, max: 3 });
    const joined = await h.engine.groups.join(bob, code);
    await h.engine.outbox.runOnce();
    const held = (await h.engine.outbox.list({ kind: "shipping", status: "held" })).filter(
      (m) => m.shipping?.orderId === joined.order._id,
    );
    expect(held).toHaveLength(1);
  });
});
