import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import type { Connection } from "mongoose";
import type { GroupDoc, OrderDoc, OutboxDoc } from "../../models";
import { isUserError } from "../../src/engine/errors";
import { dropConnection, freshConnection } from "../support/db";
import { engineOn, type Harness, people } from "./support/harness";
import { shuffled } from "./support/shuffled";

const CHANNEL = { platform: "playground" as const, id: "race-lobby" };

describe("200 concurrent joins, leaves and repeated joins on one group with a waitlist", () => {
  let connection: Connection;
  let h: Harness;

  beforeAll(async () => {
    connection = await freshConnection("waitlist-race");
    h = await engineOn(connection, { outbox: { cardEditIntervalMs: 0 } });
  });
  afterAll(async () => {
    await dropConnection(connection);
  });

  it("never passes max, loses or doubles nobody, and ships and cancels every order once", async () => {
    const [org] = await people(h.engine, "race-org");
    const { code } = await h.engine.groups.open(org!, "KB-75", { size: 4, max: 12, channel: CHANNEL });
    const users = await people(h.engine, ...Array.from({ length: 100 }, (_, i) => `race-u${i}`));
    // 100 first joins, 40 repeated joins (a waiting member asking again, or a retry), 60 leaves.
    const calls = shuffled(
      [
        ...users.map((key) => ({ kind: "join" as const, key })),
        ...users.slice(0, 40).map((key) => ({ kind: "join" as const, key })),
        ...users.slice(20, 80).map((key) => ({ kind: "leave" as const, key })),
      ],
      17,
    );
    expect(calls).toHaveLength(200);
    const outcomes = await Promise.allSettled(
      calls.map((call) =>
        call.kind === "join"
          ? h.engine.groups.joinOrWait(call.key, code)
          : h.engine.groups.leave(call.key, code),
      ),
    );
    // Every refusal is a user's one line, of the kinds a race can give.
    for (const outcome of outcomes) {
      if (outcome.status === "fulfilled") continue;
      expect(isUserError(outcome.reason)).toBe(true);
      expect(["NOT_A_MEMBER", "GROUP_NOT_OPEN", "ALREADY_JOINED"]).toContain(
        (outcome.reason as { code: string }).code,
      );
    }

    const groups = connection.collection<GroupDoc>("groups");
    const group = (await groups.findOne({ _id: code }))!;
    expect(group.memberCount).toBeLessThanOrEqual(group.max);
    expect(group.members).toHaveLength(group.memberCount);
    const siblings = await groups.find({ origin: code }).toArray();
    const waitlist = group.waitlist ?? [];
    // Each person is at most one of: member, member of a sibling, waiting.
    const where = new Map<string, string[]>();
    const note = (key: string, place: string) => where.set(key, [...(where.get(key) ?? []), place]);
    for (const m of group.members) note(m.userKey, code);
    for (const sibling of siblings) for (const m of sibling.members) note(m.userKey, sibling._id);
    for (const w of waitlist) if (w.placedIn === null) note(w.userKey, "waiting");
    for (const [key, places] of where) expect([key, places]).toEqual([key, [places[0]]]);
    // Nobody queued twice, and every one placed is in the sibling that took them.
    expect(new Set(waitlist.map((w) => w.userKey)).size).toBe(waitlist.length);
    for (const w of waitlist) {
      if (w.placedIn) expect(where.get(w.userKey)).toEqual([w.placedIn]);
      else expect(where.get(w.userKey)).toEqual(["waiting"]);
    }
    // Everyone who was told they wait or were placed is still there.
    for (const [i, outcome] of outcomes.entries()) {
      if (outcome.status !== "fulfilled" || !("waitlisted" in (outcome.value as object))) continue;
      expect(waitlist.some((w) => w.userKey === calls[i]!.key)).toBe(true);
    }
    for (const sibling of siblings) {
      expect(sibling.memberCount).toBe(sibling.members.length);
      expect(sibling.memberCount).toBeLessThanOrEqual(sibling.max);
    }
    // The group filled: the test exercised the waitlist and at least one sibling.
    expect(group.state).toBe("complete");
    expect(siblings.length).toBeGreaterThanOrEqual(1);

    // Every order: one shipping request; a cancelled one also exactly one cancellation, a placed one none.
    const codes = [code, ...siblings.map((s) => s._id)];
    const orders = await connection
      .collection<OrderDoc>("orders")
      .find({ groupCode: { $in: codes } })
      .toArray();
    const shipping = await h.engine.outbox.list({ kind: "shipping" });
    const bodies = shipping.map(
      (s: OutboxDoc) => JSON.parse(s.shipping!.body) as { orderId: string; status: string },
    );
    const memberOrders = new Set([group, ...siblings].flatMap((g) => g.members.map((m) => m.orderId)));
    for (const order of orders) {
      const mine = bodies.filter((b) => b.orderId === order._id);
      expect(mine.filter((b) => b.status === "requested")).toHaveLength(1);
      expect(mine.filter((b) => b.status === "cancelled")).toHaveLength(order.status === "cancelled" ? 1 : 0);
      expect(memberOrders.has(order._id)).toBe(order.status === "placed");
    }
    expect(orders.filter((o) => o.status === "placed")).toHaveLength(memberOrders.size);

    // The card's last state shows the true counts.
    await h.engine.outbox.runOnce();
    await h.engine.outbox.runOnce();
    const card = [...h.messenger.posts.values()].find((p) => p.text.includes(`code ${code}`));
    expect(card?.text).toContain(`${group.memberCount}/${group.max}`);
    const stillWaiting = waitlist.filter((w) => w.placedIn === null).length;
    if (stillWaiting > 0) expect(card?.text).toContain(`${stillWaiting} on the waitlist`);
    else expect(card?.text).not.toContain("on the waitlist");
    for (const sibling of siblings) {
      const siblingCard = [...h.messenger.posts.values()].find((p) => p.text.includes(`code ${sibling._id}`));
      expect(siblingCard?.text).toContain(`${sibling.memberCount}/${sibling.max}`);
    }
  });
});
