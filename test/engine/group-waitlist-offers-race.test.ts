import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import type { Connection } from "mongoose";
import type { GroupDoc, OrderDoc, OutboxDoc } from "../../models";
import { isUserError } from "../../src/engine/errors";
import { demoPayments } from "../../src/payments";
import { dropConnection, freshConnection } from "../support/db";
import { demoAuthorize, engineOn, type Harness, HOUR, PUBLIC_URL, people } from "./support/harness";
import { shuffled } from "./support/shuffled";

const CHANNEL = { platform: "playground" as const, id: "offers-race-lobby" };

/**
 * With payments on, a full group loses places while people wait for them: 200 concurrent joins,
 * leaves, confirmations of offered places and card authorizations on one group. Nothing here
 * waits on time: the clock stands still, every call is awaited, and only the final state is read.
 */
describe("200 concurrent joins, leaves, confirmations and payments on one full group with offers", () => {
  let connection: Connection;
  let h: Harness;

  beforeAll(async () => {
    connection = await freshConnection("offers-race");
    h = await engineOn(connection, {
      outbox: { cardEditIntervalMs: 0 },
      payments: { provider: demoPayments(() => PUBLIC_URL), windowMs: 2 * HOUR },
      waitlistConfirmMs: 30 * 60_000,
    });
  });
  afterAll(async () => {
    await dropConnection(connection);
  });

  const authorize = (order: OrderDoc) => demoAuthorize(h.engine, order);

  it("never passes max counting offers, places nobody twice, and ships only captured orders, once", async () => {
    const [org] = await people(h.engine, "offers-race-org");
    const { code } = await h.engine.groups.open(org!, "KB-75", {
      size: 6,
      max: 8,
      channel: CHANNEL,
      expiresInMs: 6 * HOUR,
    });
    const groups = connection.collection<GroupDoc>("groups");
    const users = await people(h.engine, ...Array.from({ length: 100 }, (_, i) => `or-u${i}`));
    // Before the burst: full, unpaid; three waiting; two leaves have offered places to two of them.
    const firstOrders: OrderDoc[] = [];
    for (const key of users.slice(0, 8)) firstOrders.push((await h.engine.groups.join(key, code)).order);
    for (const key of users.slice(8, 11)) await h.engine.groups.joinOrWait(key, code);
    await h.engine.groups.leave(users[0]!, code);
    await h.engine.groups.leave(users[1]!, code);
    expect(await groups.findOne({ _id: code })).toMatchObject({ memberCount: 6, offered: 2 });

    const calls = shuffled(
      [
        // Those offered a place take it, the others queue (or take one offered during the burst)…
        ...users.slice(8, 41).map((key) => ({ kind: "join" as const, key })),
        // …and ask again: a confirmation of an offer made meanwhile, or their position.
        ...users.slice(8, 41).map((key) => ({ kind: "join" as const, key })),
        ...users.slice(41).map((key) => ({ kind: "join" as const, key })),
        // Leaves free places (or find nothing to leave).
        ...users.slice(2, 21).map((key) => ({ kind: "leave" as const, key })),
        ...users.slice(41, 91).map((key) => ({ kind: "leave" as const, key })),
        // Members' money arriving (some of them are leaving at the same time).
        ...firstOrders.slice(2).map((order) => ({ kind: "pay" as const, key: order.userKey, order })),
      ],
      29,
    );
    expect(calls).toHaveLength(200);
    const outcomes = await Promise.allSettled(
      calls.map((call) => {
        if (call.kind === "join") return h.engine.groups.joinOrWait(call.key, code);
        if (call.kind === "leave") return h.engine.groups.leave(call.key, code);
        return authorize(call.order);
      }),
    );
    for (const outcome of outcomes) {
      if (outcome.status === "fulfilled") continue;
      expect(isUserError(outcome.reason)).toBe(true);
      expect(["NOT_A_MEMBER", "GROUP_NOT_OPEN", "ALREADY_JOINED"]).toContain(
        (outcome.reason as { code: string }).code,
      );
    }

    const group = (await groups.findOne({ _id: code }))!;
    const waitlist = group.waitlist ?? [];
    const offered = waitlist.filter((w) => w.placedIn === null && !w.lapsedAt && w.offeredUntil);
    expect(group.members).toHaveLength(group.memberCount);
    expect(group.offered ?? 0).toBe(offered.length);
    expect(group.memberCount + offered.length).toBeLessThanOrEqual(group.max);
    // The burst exercised what it is about: places were offered and taken.
    expect(waitlist.some((w) => w.placedIn === code)).toBe(true);
    const siblings = await groups.find({ origin: code }).toArray();
    expect(siblings.length).toBeGreaterThanOrEqual(1);

    // Each person is exactly one of: member, member of a sibling, waiting, offered, lapsed, left.
    const where = new Map<string, string[]>();
    const note = (key: string, place: string) => where.set(key, [...(where.get(key) ?? []), place]);
    for (const m of group.members) note(m.userKey, "member");
    for (const sibling of siblings)
      for (const m of sibling.members) note(m.userKey, `sibling ${sibling._id}`);
    for (const w of waitlist) {
      if (w.placedIn !== null || w.lapsedAt) continue;
      note(w.userKey, w.offeredUntil ? "offered" : "waiting");
    }
    for (const [key, places] of where) expect([key, places]).toEqual([key, [places[0]]]);
    // Nobody holds two live entries; an entry placed here is a member unless they left since.
    const live = waitlist.filter((w) => !w.lapsedAt && w.placedIn !== code);
    expect(new Set(live.map((w) => w.userKey)).size).toBe(live.length);
    for (const w of waitlist) {
      if (w.placedIn && w.placedIn !== code) expect(where.get(w.userKey)).toEqual([`sibling ${w.placedIn}`]);
    }
    // Everyone told they wait is still on the list (waiting, offered, or placed from it).
    for (const [i, outcome] of outcomes.entries()) {
      if (calls[i]!.kind !== "join" || outcome.status !== "fulfilled") continue;
      if (!("waitlisted" in (outcome.value as object))) continue;
      expect(waitlist.some((w) => w.userKey === calls[i]!.key)).toBe(true);
    }
    // Every order of the group is a member's, placed, or cancelled.
    const orders = () =>
      connection
        .collection<OrderDoc>("orders")
        .find({ groupCode: { $in: [code, ...siblings.map((s) => s._id)] } })
        .toArray();
    const memberOrders = new Set([group, ...siblings].flatMap((g) => g.members.map((m) => m.orderId)));
    for (const order of await orders()) expect(memberOrders.has(order._id)).toBe(order.status === "placed");

    // The card's last state shows the true counts.
    await h.engine.outbox.runOnce();
    await h.engine.outbox.runOnce();
    const card = [...h.messenger.posts.values()].find((p) => p.text.includes(`code ${code}`))!;
    expect(card.text).toContain(`${group.memberCount}/${group.max}`);
    if (offered.length > 0) expect(card.text).toContain(`${offered.length} place`);
    else expect(card.text).not.toContain("offered to the waitlist");

    // Then every member pays and the deadline passes: the group closes, its holds are captured.
    for (const member of group.members) {
      const order = (await h.engine.orders.get(member.orderId))!;
      if (order.payment?.state === "awaiting") await authorize(order);
    }
    h.clock.advance(6 * HOUR);
    await h.engine.groups.sweep();
    for (let i = 0; i < 5; i++) await h.engine.outbox.runOnce();
    const closed = (await groups.findOne({ _id: code }))!;
    // The burst's leaves may leave fewer than `size` members: then the deadline fails the group.
    const enough = group.memberCount >= group.size;
    expect(closed.state).toBe(enough ? "complete" : "failed");
    expect(closed.offered).toBe(0);

    // With payments, a shipping request goes out once for each order whose money was captured, and for no other.
    const shipping = await h.engine.outbox.list({ kind: "shipping" });
    const bodies = shipping.map(
      (s: OutboxDoc) => JSON.parse(s.shipping!.body) as { orderId: string; status: string },
    );
    let captured = 0;
    for (const order of await orders()) {
      const mine = bodies.filter((b) => b.orderId === order._id);
      const wasCaptured = order.payment?.state === "captured";
      if (wasCaptured) captured++;
      expect([order._id, mine.filter((b) => b.status === "requested").length]).toEqual([
        order._id,
        wasCaptured ? 1 : 0,
      ]);
      expect(mine.filter((b) => b.status === "cancelled").length).toBeLessThanOrEqual(1);
    }
    expect(captured).toBe(enough ? closed.memberCount : 0);
  });
});
