import { afterAll, describe, expect, it } from "@jest/globals";
import { type Document, MongoClient } from "mongodb";
import type { GroupDoc } from "../../models";
import { eventually } from "../support/eventually";
import { codeIn, playgroundSay } from "../support/playground-client";
import { killWithStore, onOneDataDir, storeUriOf } from "../support/store-process";

const JOINERS = 60;
const LEAVERS = 20;

/**
 * kill -9 of the server and its store in the middle of a burst of joins and leaves on a group that
 * fills, queues latecomers and opens siblings for them; after a restart on the same DATA_DIR nobody
 * is lost or placed twice and every order has its one shipping request.
 */
describe("kill -9 mid-burst on a full group with a waitlist", () => {
  const { start, stopAll } = onOneDataDir("crowdcart-waitlist-");
  afterAll(stopAll);

  it("keeps the waitlist, the siblings and every order consistent after a restart", async () => {
    const first = await start();
    const opened = await playgroundSay(first.base, "olga", "/groupbuy KB-75 size=3 max=6");
    const group = codeIn(opened.text, "g");
    for (const name of ["ann", "bob", "cid", "dan"]) await playgroundSay(first.base, name, `/join ${group}`);

    // Everyone at once: joins that fill the group, then queue; leaves racing them.
    const acknowledged: { user: string; text: string }[] = [];
    const calls = [
      ...Array.from({ length: JOINERS }, (_, i) => ({ user: `w${i}`, text: `/join ${group}` })),
      ...Array.from({ length: LEAVERS }, (_, i) => ({ user: `w${i * 3}`, text: `/leave ${group}` })),
    ];
    let answered = 0;
    const inFlight = calls.map(async (call) => {
      try {
        const reply = await playgroundSay(first.base, call.user, call.text);
        answered++;
        if (reply.status === 200) acknowledged.push({ user: call.user, text: reply.text });
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

    const second = await start();
    const client = await new MongoClient(storeUriOf(second)).connect();
    try {
      const db = client.db();
      // Let it settle: the restarted outbox relays every committed order's shipping request.
      await eventually(
        "every order relayed",
        async () => (await db.collection("orders").countDocuments({ shippingQueued: false })) === 0,
        Boolean,
        60_000,
      );
      const groups = db.collection<GroupDoc & Document>("groups");
      const full = (await groups.findOne({ _id: group }))!;
      const siblings = await groups.find({ origin: group }).toArray();
      expect(full.memberCount).toBeLessThanOrEqual(full.max);
      expect(full.members).toHaveLength(full.memberCount);
      const waitlist = full.waitlist ?? [];
      expect(new Set(waitlist.map((w) => w.userKey)).size).toBe(waitlist.length);

      const places = new Map<string, string[]>();
      const note = (key: string, place: string) => places.set(key, [...(places.get(key) ?? []), place]);
      for (const m of full.members) note(m.userKey, group);
      for (const sibling of siblings) {
        expect(sibling.members).toHaveLength(sibling.memberCount);
        expect(sibling.memberCount).toBeLessThanOrEqual(sibling.max);
        for (const m of sibling.members) note(m.userKey, sibling._id);
      }
      for (const w of waitlist) if (w.placedIn === null) note(w.userKey, "waiting");
      for (const [key, where] of places) expect([key, where.length]).toEqual([key, 1]);
      for (const w of waitlist) expect(places.get(w.userKey)).toEqual([w.placedIn ?? "waiting"]);
      // Every acknowledged place on the waitlist survived the kill.
      for (const ack of acknowledged) {
        if (ack.text.includes("on its waitlist") || ack.text.includes("opened for its waitlist")) {
          expect(waitlist.map((w) => w.userKey)).toContain(`playground:${ack.user}`);
        }
      }

      const codes = [group, ...siblings.map((s) => s._id)];
      const orders = await db
        .collection("orders")
        .find({ groupCode: { $in: codes } })
        .toArray();
      const shipping = await db.collection("outbox").find({ kind: "shipping" }).toArray();
      const bodies = shipping.map(
        (s) => JSON.parse(String(s.shipping.body)) as { orderId: string; status: string },
      );
      const memberOrders = new Set([full, ...siblings].flatMap((g) => g.members.map((m) => m.orderId)));
      for (const order of orders) {
        const mine = bodies.filter((b) => b.orderId === String(order._id));
        expect(mine.filter((b) => b.status === "requested")).toHaveLength(1);
        expect(mine.filter((b) => b.status === "cancelled")).toHaveLength(
          order.status === "cancelled" ? 1 : 0,
        );
        expect(memberOrders.has(String(order._id))).toBe(order.status === "placed");
      }
      expect(orders.filter((o) => o.status === "placed")).toHaveLength(memberOrders.size);
      // The group went on after the restart: a latecomer is still queued.
      const late = await playgroundSay(second.base, "zed", `/join ${group}`);
      expect(late.text).toMatch(/on its waitlist|opened for its waitlist/);
    } finally {
      await client.close();
    }
  }, 180_000);
});
