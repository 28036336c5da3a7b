import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import type { Connection } from "mongoose";
import type { GroupDoc, OrderDoc } from "../../models";
import type { CallerRights } from "../../src/engine/groups";
import { dropConnection, freshConnection } from "../support/db";
import { engineOn, errorCode, type Harness, HOUR, people } from "./support/harness";

const DAY = 24 * HOUR;

describe("leaving a group and the organiser's controls", () => {
  let connection: Connection;
  let h: Harness;
  let org: string;
  let ann: string;
  let bob: string;
  let cat: string;
  beforeAll(async () => {
    connection = await freshConnection("controls");
    h = await engineOn(connection);
    [org, ann, bob, cat] = (await people(h.engine, "org", "ann", "bob", "cat")) as [
      string,
      string,
      string,
      string,
    ];
  });
  afterAll(async () => {
    await dropConnection(connection);
  });

  const group = (code: string) =>
    connection.collection<GroupDoc>("groups").findOne({ _id: code }) as Promise<GroupDoc>;
  const order = (id: string) =>
    connection.collection<OrderDoc>("orders").findOne({ _id: id }) as Promise<OrderDoc>;
  const shippingOf = async (orderId: string) =>
    (await h.engine.outbox.list({ kind: "shipping" }))
      .filter((m) => m.shipping?.orderId === orderId)
      .map((m) => JSON.parse(m.shipping!.body).status as string)
      .sort();
  const dmsTo = async (key: string) =>
    (await h.engine.outbox.list({ kind: "dm", userKey: key })).map((m) => m.dm!.text);

  describe("/leave", () => {
    it("takes the member out and cancels their order with a cancelled shipping request", async () => {
      const { code } = await h.engine.groups.open(org, "KB-75", { size: 3, max: 4 });
      await h.engine.groups.join(ann, code);
      const { order: bobs } = await h.engine.groups.join(bob, code);
      const left = await h.engine.groups.leave(bob, code);
      expect(left).toMatchObject({ code, orderId: bobs._id, memberCount: 1, size: 3, max: 4 });
      const after = await group(code);
      expect(after.memberCount).toBe(1);
      expect(after.members.map((m) => m.userKey)).toEqual([ann]);
      expect(await order(bobs._id)).toMatchObject({ status: "cancelled" });
      expect(await shippingOf(bobs._id)).toEqual(["cancelled", "requested"]);
      // Their place is free again: they (or anyone) can join anew.
      await h.engine.groups.join(bob, code);
      expect((await group(code)).memberCount).toBe(2);
    });

    it("refuses, one line each: not a member, a group no longer open, an unknown code", async () => {
      const { code } = await h.engine.groups.open(org, "KB-75", { size: 2 });
      expect(await errorCode(() => h.engine.groups.leave(ann, code))).toBe("NOT_A_MEMBER");
      await h.engine.groups.join(ann, code);
      await h.engine.groups.join(bob, code);
      expect((await group(code)).state).toBe("complete");
      expect(await errorCode(() => h.engine.groups.leave(ann, code))).toBe("GROUP_NOT_OPEN");
      expect(await errorCode(() => h.engine.groups.leave(ann, "ZZZZZZZZZZZZZ"))).toBe("UNKNOWN_GROUP");
      // A complete group keeps every order.
      const orders = await connection.collection<OrderDoc>("orders").find({ groupCode: code }).toArray();
      expect(orders.map((o) => o.status)).toEqual(["placed", "placed"]);
    });
  });

  describe("who may act", () => {
    it("anyone but the organiser is refused and nothing changes", async () => {
      const { code, expiresAt } = await h.engine.groups.open(org, "KB-75", { size: 2, openedIn: "test:S1" });
      for (const request of [
        { action: "extend", byMs: DAY },
        { action: "cancel" },
        { action: "close" },
        { action: "remind" },
      ] as const) {
        expect(await errorCode(() => h.engine.groups.act(ann, code, request))).toBe("NOT_GROUP_ADMIN");
      }
      expect(await group(code)).toMatchObject({ state: "open", expiresAt });
    });

    it("an admin of the space the group was opened in may; an admin elsewhere may not", async () => {
      const { code, expiresAt } = await h.engine.groups.open(org, "KB-75", { size: 2, openedIn: "test:S1" });
      let asked = 0;
      const admin = (space: string): CallerRights => ({
        space,
        isAdmin: async () => {
          asked++;
          return true;
        },
      });
      expect(
        await errorCode(() =>
          h.engine.groups.act(ann, code, { action: "extend", byMs: HOUR }, admin("test:S2")),
        ),
      ).toBe("NOT_GROUP_ADMIN");
      expect(asked).toBe(0);
      const notAdmin: CallerRights = { space: "test:S1", isAdmin: async () => false };
      expect(
        await errorCode(() => h.engine.groups.act(ann, code, { action: "extend", byMs: HOUR }, notAdmin)),
      ).toBe("NOT_GROUP_ADMIN");
      const done = await h.engine.groups.act(ann, code, { action: "extend", byMs: HOUR }, admin("test:S1"));
      expect(asked).toBe(1);
      expect(done.expiresAt.getTime()).toBe(expiresAt.getTime() + HOUR);
    });

    it("a platform that cannot say (an error, a rate limit) refuses with its own line and changes nothing", async () => {
      const { code } = await h.engine.groups.open(org, "KB-75", { size: 2, openedIn: "test:S1" });
      const failing: CallerRights = {
        space: "test:S1",
        isAdmin: async () => {
          throw new Error("429 Too Many Requests");
        },
      };
      expect(await errorCode(() => h.engine.groups.act(ann, code, { action: "cancel" }, failing))).toBe(
        "ADMIN_CHECK_FAILED",
      );
      expect((await group(code)).state).toBe("open");
    });

    it("a group opened where there are no admins (a DM, the playground) is the organiser's alone", async () => {
      const { code } = await h.engine.groups.open(org, "KB-75", { size: 2 });
      const anyAdmin: CallerRights = { space: "test:S1", isAdmin: async () => true };
      expect(await errorCode(() => h.engine.groups.act(ann, code, { action: "cancel" }, anyAdmin))).toBe(
        "NOT_GROUP_ADMIN",
      );
    });
  });

  describe("the actions", () => {
    it("close completes at size and refuses below it, saying how many are missing", async () => {
      const { code } = await h.engine.groups.open(org, "KB-75", { size: 3, max: 5 });
      await h.engine.groups.join(ann, code);
      const refused = await h.engine.groups.act(org, code, { action: "close" }).catch((e: Error) => e);
      expect(refused).toMatchObject({ code: "MEMBERS_MISSING" });
      expect((refused as Error).message).toContain("needs 2 more members (of 3)");
      await h.engine.groups.join(bob, code);
      await h.engine.groups.join(cat, code);
      const done = await h.engine.groups.act(org, code, { action: "close" });
      expect(done).toMatchObject({ state: "complete", memberCount: 3 });
      expect(await group(code)).toMatchObject({ state: "complete", settled: true });
      expect((await dmsTo(ann)).some((t) => t.includes(`Group ${code}`) && t.includes("complete"))).toBe(
        true,
      );
      expect(await errorCode(() => h.engine.groups.act(org, code, { action: "close" }))).toBe(
        "GROUP_NOT_OPEN",
      );
    });

    it("extend moves the deadline within a group's 30-day lifetime", async () => {
      const { code, expiresAt } = await h.engine.groups.open(org, "KB-75", { size: 2, expiresInMs: DAY });
      const done = await h.engine.groups.act(org, code, { action: "extend", byMs: 2 * DAY });
      expect(done.expiresAt.getTime()).toBe(expiresAt.getTime() + 2 * DAY);
      expect(
        await errorCode(() => h.engine.groups.act(org, code, { action: "extend", byMs: 28 * DAY })),
      ).toBe("EXTEND_TOO_FAR");
      expect((await group(code)).expiresAt.getTime()).toBe(expiresAt.getTime() + 2 * DAY);
    });

    it("cancel fails the group: orders cancelled with their shipping cancellations, members told the reason", async () => {
      const { code } = await h.engine.groups.open(org, "KB-75", { size: 3 });
      const { order: anns } = await h.engine.groups.join(ann, code);
      const done = await h.engine.groups.act(org, code, { action: "cancel", reason: "supplier sold out" });
      expect(done.state).toBe("failed");
      expect(await group(code)).toMatchObject({ state: "failed", cancelReason: "supplier sold out" });
      expect(await order(anns._id)).toMatchObject({ status: "cancelled" });
      expect(await shippingOf(anns._id)).toEqual(["cancelled", "requested"]);
      expect(await dmsTo(ann)).toContainEqual(expect.stringContaining(`Group ${code} for`));
      expect((await dmsTo(ann)).some((t) => t.includes("was cancelled: supplier sold out"))).toBe(true);
      expect(await errorCode(() => h.engine.groups.act(org, code, { action: "cancel" }))).toBe(
        "GROUP_NOT_OPEN",
      );
    });

    it("remind DMs tagged members who have not joined, once per 12 hours each", async () => {
      const [dan, eve] = (await people(h.engine, "dan", "eve")) as [string, string];
      const { code } = await h.engine.groups.open(org, "KB-75", { size: 3, members: [dan, eve] });
      await h.engine.groups.join(dan, code);
      const first = await h.engine.groups.act(org, code, { action: "remind" });
      expect(first).toMatchObject({ waiting: 1, reminded: 1 });
      const again = await h.engine.groups.act(org, code, { action: "remind" });
      expect(again).toMatchObject({ waiting: 1, reminded: 0 });
      h.clock.advance(12 * HOUR + 1);
      expect(await h.engine.groups.act(org, code, { action: "remind" })).toMatchObject({ reminded: 1 });
      const reminders = (await dmsTo(eve)).filter((t) => t.startsWith("Reminder"));
      expect(reminders).toHaveLength(2);
      expect((await dmsTo(dan)).filter((t) => t.startsWith("Reminder"))).toHaveLength(0);
    });
  });

  it("concurrent joins and leaves never take a group past max; each order has one request and at most one cancellation", async () => {
    const { code } = await h.engine.groups.open(org, "KB-75", { size: 40, max: 50 });
    const early = Array.from({ length: 40 }, (_, i) => `playground:early${i}`);
    await Promise.all(early.map((key) => h.engine.groups.join(key, code)));
    const late = Array.from({ length: 160 }, (_, i) => `playground:late${i}`);
    // 200 at once: half the early members leave (each twice), while 160 newcomers race for the places.
    const leaves = early.slice(0, 20).flatMap((key) => [key, key]);
    // Interleaved, so leaves and joins queue for the group together.
    const leaving: Promise<unknown>[] = [];
    const joining: Promise<unknown>[] = [];
    for (let i = 0; i < Math.max(leaves.length, late.length); i++) {
      const leaver = leaves[i];
      const joiner = late[i];
      if (leaver) leaving.push(h.engine.groups.leave(leaver, code));
      if (joiner) joining.push(h.engine.groups.join(joiner, code));
    }
    const left = await Promise.allSettled(leaving);
    const results = [...left, ...(await Promise.allSettled(joining))];
    const leftOnce = left.filter((r) => r.status === "fulfilled").length;
    for (const result of results) {
      if (result.status === "rejected") {
        expect(["NOT_A_MEMBER", "GROUP_COMPLETE", "GROUP_NOT_OPEN"]).toContain(
          (result.reason as { code?: string }).code,
        );
      }
    }
    const final = await group(code);
    expect(final.memberCount).toBe(final.members.length);
    // More newcomers than places, whatever the order: the group filled exactly to max and completed.
    expect(final.memberCount).toBe(50);
    expect(final.state).toBe("complete");
    expect(new Set(final.members.map((m) => m.userKey)).size).toBe(final.members.length);

    const orders = await connection.collection<OrderDoc>("orders").find({ groupCode: code }).toArray();
    const placed = new Set(orders.filter((o) => o.status === "placed").map((o) => o._id));
    expect(placed).toEqual(new Set(final.members.map((m) => m.orderId)));
    const shipping = (await h.engine.outbox.list({ kind: "shipping" })).filter((m) =>
      orders.some((o) => o._id === m.shipping?.orderId),
    );
    for (const o of orders) {
      const statuses = shipping
        .filter((m) => m.shipping?.orderId === o._id)
        .map((m) => JSON.parse(m.shipping!.body).status);
      expect(statuses.filter((s) => s === "requested")).toHaveLength(1);
      expect(statuses.filter((s) => s === "cancelled")).toHaveLength(o.status === "cancelled" ? 1 : 0);
    }
    // Every leave that succeeded cancelled one order; a repeated leave cancelled nothing more.
    expect(leftOnce).toBeLessThanOrEqual(20);
    expect(orders.filter((o) => o.status === "cancelled")).toHaveLength(leftOnce);
  });
});
