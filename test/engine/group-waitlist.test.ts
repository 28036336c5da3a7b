import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import type { Connection } from "mongoose";
import type { GroupDoc, OrderDoc } from "../../models";
import type { WaitlistAnswer } from "../../src/engine/groups";
import { dropConnection, freshConnection } from "../support/db";
import { engineOn, errorCode, type Harness, HOUR, people } from "./support/harness";

const CHANNEL = { platform: "playground" as const, id: "lobby" };

describe("the waitlist of a full group, and the sibling group it opens", () => {
  let connection: Connection;
  let h: Harness;
  let org: string;

  beforeAll(async () => {
    connection = await freshConnection("waitlist");
    h = await engineOn(connection, { outbox: { cardEditIntervalMs: 0 } });
    [org] = (await people(h.engine, "org")) as [string];
  });
  afterAll(async () => {
    await dropConnection(connection);
  });

  const groupDoc = (code: string) => connection.collection<GroupDoc>("groups").findOne({ _id: code });
  const waiting = (answer: unknown) => answer as Extract<WaitlistAnswer, { waitlisted: "waiting" }>;
  const placed = (answer: unknown) => answer as Extract<WaitlistAnswer, { waitlisted: "placed" }>;

  /** A group of `size` up to `max`, filled to `max` (so complete), opened in the lobby. */
  async function fullGroup(size: number, max: number, prefix: string) {
    const { code } = await h.engine.groups.open(org, "KB-75", {
      size,
      max,
      channel: CHANNEL,
      expiresInMs: 6 * HOUR,
    });
    const members = await people(h.engine, ...Array.from({ length: max }, (_, i) => `${prefix}m${i}`));
    for (const key of members) await h.engine.groups.join(key, code);
    expect((await groupDoc(code))?.state).toBe("complete");
    return { code, members };
  }

  it("queues a join on a full group once, says the position, and refuses members as before", async () => {
    const { code, members } = await fullGroup(3, 4, "a");
    const [dan, eve] = await people(h.engine, "a-dan", "a-eve");
    expect(waiting(await h.engine.groups.joinOrWait(dan!, code))).toMatchObject({
      waitlisted: "waiting",
      code,
      position: 1,
      waiting: 1,
      size: 3,
    });
    expect(waiting(await h.engine.groups.joinOrWait(eve!, code, { qty: 2 })).position).toBe(2);
    // Asking again says the place again; nobody is queued twice.
    expect(waiting(await h.engine.groups.joinOrWait(dan!, code)).position).toBe(1);
    expect((await groupDoc(code))?.waitlist?.map((w) => w.userKey)).toEqual([dan, eve]);
    expect(await errorCode(() => h.engine.groups.joinOrWait(members[0]!, code))).toBe("ALREADY_JOINED");
    // No order for the waiting: the group keeps exactly its members' orders.
    expect(await connection.collection("orders").countDocuments({ groupCode: code })).toBe(4);
    await h.engine.outbox.runOnce();
    const card = [...h.messenger.posts.values()].find((p) => p.text.includes(code));
    expect(card?.text).toContain(
      `2 on the waitlist (/join ${code} to be added): a new group opens for them at 3.`,
    );
    const status = await h.engine.groups.status(code, org);
    expect(status.waiting).toBe(2);
    expect(status.details?.waitlist.map((w) => w.displayName)).toEqual(["a-dan", "a-eve"]);
  });

  it("opens a sibling when `size` wait: they become its members with orders, DMs and personal links", async () => {
    const { code } = await fullGroup(3, 4, "b");
    const waiters = await people(h.engine, "b-w1", "b-w2", "b-w3", "b-w4");
    await h.engine.groups.joinOrWait(waiters[0]!, code, { sku: "SW-LIN", qty: 2 });
    await h.engine.groups.joinOrWait(waiters[1]!, code);
    const third = placed(await h.engine.groups.joinOrWait(waiters[2]!, code));
    expect(third.waitlisted).toBe("placed");
    const siblingCode = third.sibling;
    expect(siblingCode).not.toBe(code);
    // The next one waits again, pointed at the sibling that may still have room.
    expect(waiting(await h.engine.groups.joinOrWait(waiters[3]!, code))).toMatchObject({
      position: 1,
      waiting: 1,
      sibling: siblingCode,
    });
    // Asking again after being placed says where they are.
    expect(placed(await h.engine.groups.joinOrWait(waiters[0]!, code))).toMatchObject({
      sibling: siblingCode,
    });

    const origin = await groupDoc(code);
    const sibling = await groupDoc(siblingCode);
    expect(origin?.sibling).toBe(siblingCode);
    expect(sibling).toMatchObject({
      origin: code,
      sku: origin?.sku,
      size: 3,
      max: 4,
      organiserKey: org,
      state: "open",
      memberCount: 3,
    });
    // A fresh deadline of the original length.
    const length = (g: GroupDoc | null) => (g ? g.expiresAt.getTime() - g.createdAt.getTime() : 0);
    expect(length(sibling)).toBe(length(origin));
    expect(sibling?.members.map((m) => m.userKey)).toEqual(waiters.slice(0, 3));
    const orders = await connection.collection<OrderDoc>("orders").find({ groupCode: siblingCode }).toArray();
    expect(orders.map((o) => [o.userKey, o.sku, o.qty])).toEqual([
      [waiters[0], "SW-LIN", 2],
      [waiters[1], "KB-75", 1],
      [waiters[2], "KB-75", 1],
    ]);
    // Every order goes out as a shipping request, as for any join.
    const shipping = await h.engine.outbox.list({ kind: "shipping" });
    for (const order of orders) {
      expect(shipping.filter((s) => s.shipping?.orderId === order._id)).toHaveLength(1);
    }
    await h.engine.outbox.runOnce();
    for (const key of waiters.slice(0, 3)) {
      const id = key.split(":")[1]!;
      const dm = h.messenger.to(id).find((m) => m.text.includes(siblingCode));
      const token = sibling?.invites.find((i) => i.userKey === key)?.token ?? "";
      expect(dm?.text).toContain(`/g/${siblingCode}?m=${token}`);
      // The group's product, whatever the member ordered in it.
      expect(dm?.text).toContain("for 75% keyboard kit was full");
      expect(dm?.buttons?.map((b) => b.command ?? b.url)).toContain(`/group ${siblingCode}`);
    }
    expect(h.messenger.to("org").some((m) => m.text.includes(`group ${siblingCode} opened`))).toBe(true);
    // Both cards link to each other.
    const cards = [...h.messenger.posts.values()];
    expect(cards.find((p) => p.text.includes(`code ${code}`))?.text).toContain(`/g/${siblingCode}`);
    expect(cards.find((p) => p.text.includes(`code ${siblingCode}`))?.text).toContain(
      `Opened for the waitlist of group ${code}`,
    );
    const siblingStatus = await h.engine.groups.status(siblingCode, org);
    expect(siblingStatus.origin?.code).toBe(code);
    expect((await h.engine.groups.status(code, org)).sibling?.code).toBe(siblingCode);
  });

  it("a sibling that is full on opening (size = max) completes at once", async () => {
    const { code } = await fullGroup(2, 2, "c");
    const [x, y] = await people(h.engine, "c-x", "c-y");
    await h.engine.groups.joinOrWait(x!, code);
    const answer = placed(await h.engine.groups.joinOrWait(y!, code));
    expect(await groupDoc(answer.sibling)).toMatchObject({
      state: "complete",
      memberCount: 2,
      settled: true,
    });
  });

  it("refuses, in one line as before, a group complete below its cap, failed, or past its deadline", async () => {
    const [a, b, c, late] = await people(h.engine, "d-a", "d-b", "d-c", "d-late");
    const closed = await h.engine.groups.open(org, "KB-75", { size: 2, max: 5 });
    await h.engine.groups.join(a!, closed.code);
    await h.engine.groups.join(b!, closed.code);
    await h.engine.groups.act(org, closed.code, { action: "close" });
    expect(await errorCode(() => h.engine.groups.joinOrWait(late!, closed.code))).toBe("GROUP_COMPLETE");

    const failed = await h.engine.groups.open(org, "KB-75", { size: 2, expiresInMs: HOUR });
    await h.engine.groups.join(c!, failed.code);
    const full = await fullGroup(2, 2, "d");
    h.clock.advance(7 * HOUR);
    await h.engine.groups.sweep();
    expect(await errorCode(() => h.engine.groups.joinOrWait(late!, failed.code))).toBe("GROUP_FAILED");
    // A full group's waitlist closes with its deadline.
    expect(await errorCode(() => h.engine.groups.joinOrWait(late!, full.code))).toBe("GROUP_COMPLETE");
    expect((await groupDoc(full.code))?.waitlist ?? []).toEqual([]);
  });
});
