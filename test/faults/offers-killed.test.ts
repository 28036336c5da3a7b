import { afterAll, describe, expect, it } from "@jest/globals";
import { type Document, MongoClient } from "mongodb";
import type { GroupDoc, OrderDoc } from "../../models";
import { eventually } from "../support/eventually";
import { codeIn, playgroundSay } from "../support/playground-client";
import { killWithStore, onOneDataDir, storeUriOf } from "../support/store-process";

const DEMO = { PAYMENTS: "demo" };

/**
 * kill -9 of the server and its store in the middle of a burst, with payments on (the demo
 * provider), on a full group whose members leave while people wait: places freed, offered and
 * taken, latecomers queued. After a restart on the same DATA_DIR the group holds no more than its
 * cap (members and offers), nobody is in two places, every acknowledged answer stands, and no
 * order has a shipping request before its money is captured.
 */
describe("kill -9 mid-burst of leaves and confirmations on a full group with payments on", () => {
  const { start, stopAll } = onOneDataDir("crowdcart-offers-");
  afterAll(stopAll);

  it("keeps members, offers, the waitlist and every order consistent after a restart", async () => {
    const first = await start(DEMO);
    const opened = await playgroundSay(first.base, "olga", "/groupbuy KB-75 size=3 max=4");
    const group = codeIn(opened.text, "g");
    const members = ["ann", "bob", "cid", "dan"];
    for (const name of members) {
      const joined = await playgroundSay(first.base, name, `/join ${group}`);
      // Two of them pay at once on the demo checkout.
      const link = /\/pay\/(demo_[A-Za-z0-9_-]+)/.exec(joined.text);
      if (name === "ann" || name === "bob") {
        const paid = await fetch(`${first.base}/pay/${link![1]}/authorize`, {
          method: "POST",
          redirect: "manual",
        });
        expect(paid.status).toBe(303);
      }
    }
    // Two wait (fewer than the size, so no sibling takes them before the burst).
    for (const name of ["w0", "w1"]) {
      expect((await playgroundSay(first.base, name, `/join ${group}`)).text).toContain("on its waitlist");
    }

    // Everyone at once: members leave (freeing places that go to the waitlist), the waiting take
    // the places offered to them (or are told their position), latecomers queue.
    const acknowledged: { user: string; text: string; command: string }[] = [];
    const calls = [
      ...["cid", "dan", "bob"].map((user) => ({ user, text: `/leave ${group}` })),
      ...Array.from({ length: 6 }, (_, i) => ({ user: `w${i % 2}`, text: `/join ${group}` })),
      ...Array.from({ length: 40 }, (_, i) => ({ user: `l${i}`, text: `/join ${group}` })),
      ...Array.from({ length: 40 }, (_, i) => ({ user: `l${i}`, text: `/join ${group}` })),
      ...Array.from({ length: 10 }, (_, i) => ({ user: `l${i * 4}`, text: `/leave ${group}` })),
    ];
    let answered = 0;
    const inFlight = calls.map(async (call) => {
      try {
        const reply = await playgroundSay(first.base, call.user, call.text);
        answered++;
        if (reply.status === 200 && !reply.errorCode)
          acknowledged.push({ user: call.user, text: reply.text, command: call.text });
      } catch {
        // the connection died with the server
      }
    });
    await eventually(
      "a third of the burst answered",
      async () => answered >= calls.length / 3,
      Boolean,
      60_000,
    );
    await killWithStore(first);
    await Promise.all(inFlight);

    const second = await start(DEMO);
    const client = await new MongoClient(storeUriOf(second)).connect();
    try {
      const db = client.db();
      const groups = db.collection<GroupDoc & Document>("groups");
      const full = (await groups.findOne({ _id: group }))!;
      const siblings = await groups.find({ origin: group }).toArray();
      const waitlist = full.waitlist ?? [];
      const offered = waitlist.filter((w) => w.placedIn === null && !w.lapsedAt && w.offeredUntil);
      expect(full.members).toHaveLength(full.memberCount);
      expect(full.offered ?? 0).toBe(offered.length);
      expect(full.memberCount + offered.length).toBeLessThanOrEqual(full.max);

      // Each person in at most one place: member, member of a sibling, waiting, offered.
      const places = new Map<string, string[]>();
      const note = (key: string, place: string) => places.set(key, [...(places.get(key) ?? []), place]);
      for (const m of full.members) note(m.userKey, group);
      for (const sibling of siblings) {
        expect(sibling.members).toHaveLength(sibling.memberCount);
        expect(sibling.memberCount).toBeLessThanOrEqual(sibling.max);
        for (const m of sibling.members) note(m.userKey, sibling._id);
      }
      for (const w of waitlist) {
        if (w.placedIn === null && !w.lapsedAt) note(w.userKey, w.offeredUntil ? "offered" : "waiting");
      }
      for (const [key, where] of places) expect([key, where.length]).toEqual([key, 1]);
      for (const w of waitlist) {
        if (w.placedIn && w.placedIn !== group) expect(places.get(w.userKey)).toEqual([w.placedIn]);
      }
      // Every acknowledged answer survived the kill: the queued are on the list, a place taken
      // from an offer is a member's (unless they left it again), a member's leave left.
      const leftAfter = new Set(
        acknowledged.filter((a) => a.command.startsWith("/leave")).map((a) => `playground:${a.user}`),
      );
      for (const ack of acknowledged) {
        const key = `playground:${ack.user}`;
        if (ack.text.includes("on its waitlist") || ack.text.includes("opened for its waitlist"))
          expect(waitlist.map((w) => w.userKey)).toContain(key);
        if (
          ack.command.startsWith("/join") &&
          ack.text.includes("your place in group") &&
          !leftAfter.has(key)
        )
          expect(full.members.map((m) => m.userKey)).toContain(key);
        if (ack.command.startsWith("/leave") && members.includes(ack.user))
          expect(full.members.map((m) => m.userKey)).not.toContain(key);
      }

      // Orders: a member's is placed, any other cancelled; nothing shipped before money is captured.
      const codes = [group, ...siblings.map((s) => s._id)];
      const orders = await db
        .collection<OrderDoc & Document>("orders")
        .find({ groupCode: { $in: codes } })
        .toArray();
      const memberOrders = new Set([full, ...siblings].flatMap((g) => g.members.map((m) => m.orderId)));
      for (const order of orders) expect(memberOrders.has(String(order._id))).toBe(order.status === "placed");
      const shipping = await db.collection("outbox").find({ kind: "shipping" }).toArray();
      const shipped = shipping.map((s) => JSON.parse(String(s.shipping.body)) as { orderId: string });
      for (const order of orders) {
        if (order.payment?.state !== "captured")
          expect([String(order._id), shipped.filter((b) => b.orderId === String(order._id))]).toEqual([
            String(order._id),
            [],
          ]);
      }

      // The group went on after the restart: a latecomer is queued or takes a free place.
      const late = await playgroundSay(second.base, "zed", `/join ${group}`);
      expect(late.text).toMatch(/on its waitlist|opened for its waitlist|your place in group/);
    } finally {
      await client.close();
    }
  }, 180_000);
});
