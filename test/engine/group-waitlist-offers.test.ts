import { afterAll, beforeAll, beforeEach, describe, expect, it } from "@jest/globals";
import type { Connection } from "mongoose";
import type { GroupDoc, OrderDoc } from "../../models";
import type { JoinResult, WaitlistAnswer } from "../../src/engine/groups";
import { demoPayments } from "../../src/payments";
import { dropConnection, freshConnection } from "../support/db";
import {
  demoAuthorize,
  engineOn,
  errorCode,
  type Harness,
  HOUR,
  PUBLIC_URL,
  people,
} from "./support/harness";

const CHANNEL = { platform: "playground" as const, id: "offers-lobby" };
const MINUTE = 60_000;
/** WAITLIST_CONFIRM and PAYMENT_WINDOW here: an offer runs out well before an unpaid place does. */
const CONFIRM_MS = 30 * MINUTE;
const WINDOW_MS = 2 * HOUR;

/**
 * With payments on (the demo provider: no network), a full group can lose a place before it
 * completes; the place is offered to the first on its waitlist, who takes it with `/join`.
 */
describe("a place freed in a full group goes to its waitlist", () => {
  let connection: Connection;
  let h: Harness;
  let org: string;

  beforeAll(async () => {
    connection = await freshConnection("waitlist-offers");
    h = await engineOn(connection, {
      outbox: { cardEditIntervalMs: 0 },
      payments: { provider: demoPayments(() => PUBLIC_URL), windowMs: WINDOW_MS },
      waitlistConfirmMs: CONFIRM_MS,
    });
    [org] = (await people(h.engine, "org")) as [string];
  });
  afterAll(async () => {
    await dropConnection(connection);
  });
  beforeEach(() => h.messenger.clear());

  const groupDoc = async (code: string) =>
    (await connection.collection<GroupDoc>("groups").findOne({ _id: code }))!;
  const entry = async (code: string, key: string) =>
    (await groupDoc(code)).waitlist!.findLast((w) => w.userKey === key)!;
  const dmsTo = (key: string) => h.messenger.sent.filter((m) => `playground:${m.userId}` === key);
  const asJoin = (answer: unknown) => answer as JoinResult;
  const asWaiting = (answer: unknown) => answer as Extract<WaitlistAnswer, { waitlisted: "waiting" }>;

  const authorize = (order: OrderDoc) => demoAuthorize(h.engine, order);

  /** A group of `size` up to `max`, every place taken (none paid yet), and `waiting` people queued. */
  async function fullWithWaitlist(prefix: string, size: number, max: number, waiting: number) {
    const { code } = await h.engine.groups.open(org, "KB-75", {
      size,
      max,
      channel: CHANNEL,
      expiresInMs: 6 * HOUR,
    });
    const members = await people(h.engine, ...Array.from({ length: max }, (_, i) => `${prefix}-m${i}`));
    const joins = [];
    for (const key of members) joins.push(await h.engine.groups.join(key, code));
    const waiters = await people(h.engine, ...Array.from({ length: waiting }, (_, i) => `${prefix}-w${i}`));
    for (const [i, key] of waiters.entries())
      expect(asWaiting(await h.engine.groups.joinOrWait(key, code)).position).toBe(i + 1);
    const group = await groupDoc(code);
    expect(group).toMatchObject({ state: "open", memberCount: max });
    return { code, members, joins, waiters };
  }

  it("the card follows joins of members who have not paid yet, without sending their shipping requests", async () => {
    const { code } = await h.engine.groups.open(org, "KB-75", { size: 2, max: 3, channel: CHANNEL });
    const [a, b] = await people(h.engine, "card-a", "card-b");
    const joins = [await h.engine.groups.join(a!, code), await h.engine.groups.join(b!, code)];
    await h.engine.outbox.runOnce();
    const card = [...h.messenger.posts.values()].find((p) => p.text.includes(`code ${code}`))!;
    expect(card.text).toContain("2/3");
    const shipping = await h.engine.outbox.list({ kind: "shipping" });
    for (const joined of joins)
      expect(shipping.some((m) => m.shipping?.orderId === joined.order._id)).toBe(false);
  });

  it("a leave offers the place to the first waiting: DM with a button, held from others, taken by /join", async () => {
    const { code, members, waiters } = await fullWithWaitlist("a", 3, 3, 2);
    const [first, second] = waiters as [string, string];
    await h.engine.groups.leave(members[0]!, code);

    const group = await groupDoc(code);
    expect(group).toMatchObject({ memberCount: 2, offered: 1 });
    expect((await entry(code, first)).offeredUntil).toEqual(new Date(h.clock.now().getTime() + CONFIRM_MS));
    await h.engine.outbox.runOnce();
    const [offer] = dmsTo(first);
    expect(offer?.text).toContain(`A place is free in group ${code}`);
    expect(offer?.text).toContain(`or type /join ${code}`);
    expect(offer?.buttons).toEqual([{ label: "Take the place", command: `/join ${code}` }]);
    expect(dmsTo(second)).toEqual([]);
    // The card and /group show the held place; the organiser sees who holds it and until when.
    const card = [...h.messenger.posts.values()].find((p) => p.text.includes(`code ${code}`));
    expect(card?.text).toContain("1 place offered to the waitlist.");
    const status = await h.engine.groups.status(code, org);
    expect(status).toMatchObject({ offered: 1, waiting: 1 });
    expect(status.details?.offers).toEqual([
      { displayName: "a-w0", platform: "playground", until: (await entry(code, first)).offeredUntil },
    ]);

    // Anyone else still queues: the place is held.
    const [late] = await people(h.engine, "a-late");
    expect(asWaiting(await h.engine.groups.joinOrWait(late!, code))).toMatchObject({
      position: 2,
      waiting: 2,
    });
    // The second waiting asking again is told their place, not given the offer.
    expect(asWaiting(await h.engine.groups.joinOrWait(second, code)).position).toBe(1);

    const taken = asJoin(await h.engine.groups.joinOrWait(first, code));
    expect(taken).toMatchObject({ code, memberCount: 3, completed: false });
    expect(taken.order.payment).toMatchObject({ state: "awaiting" });
    expect(taken.order.payment?.dueBy).toEqual(new Date(h.clock.now().getTime() + WINDOW_MS));
    expect(taken.payUrl).toContain(`${PUBLIC_URL}/pay/`);
    const after = await groupDoc(code);
    expect(after).toMatchObject({ memberCount: 3, offered: 0 });
    expect(after.members.map((m) => m.userKey)).toContain(first);
    expect(await entry(code, first)).toMatchObject({ placedIn: code, lapsedAt: null });
    // A member asking again is a member, not a second order.
    expect(await errorCode(() => h.engine.groups.joinOrWait(first, code))).toBe("ALREADY_JOINED");
    expect(await connection.collection("orders").countDocuments({ groupCode: code, userKey: first })).toBe(1);
  });

  it("an offer not taken in time lapses (told in one line) and the place goes to the next; the lapsed may queue again", async () => {
    const { code, members, waiters } = await fullWithWaitlist("b", 3, 3, 2);
    const [first, second] = waiters as [string, string];
    await h.engine.groups.leave(members[1]!, code);
    h.clock.advance(CONFIRM_MS);
    await h.engine.groups.sweep();

    expect(await entry(code, first)).toMatchObject({ placedIn: null, lapsedAt: h.clock.now() });
    expect((await entry(code, second)).offeredUntil).toEqual(new Date(h.clock.now().getTime() + CONFIRM_MS));
    expect((await groupDoc(code)).offered).toBe(1);
    await h.engine.outbox.runOnce();
    const told = dmsTo(first).filter((m) => m.text.includes("was not taken in time"));
    expect(told).toHaveLength(1);
    expect(told[0]!.text.split("\n")).toHaveLength(1);
    expect(dmsTo(second).some((m) => m.text.includes(`A place is free in group ${code}`))).toBe(true);

    // The lapsed one asks again: queued at the end, not given the place back.
    expect(asWaiting(await h.engine.groups.joinOrWait(first, code))).toMatchObject({
      position: 1,
      waiting: 1,
    });
    expect((await groupDoc(code)).waitlist!.filter((w) => w.userKey === first)).toHaveLength(2);
    const taken = asJoin(await h.engine.groups.joinOrWait(second, code));
    expect(taken.memberCount).toBe(3);
  });

  it("an unpaid place given back at the window's end is offered to the waitlist", async () => {
    const { code, joins, waiters } = await fullWithWaitlist("c", 2, 2, 1);
    // One member pays; the other never does.
    await authorize(joins[0]!.order);
    h.clock.advance(WINDOW_MS);
    await h.engine.groups.sweep();
    const group = await groupDoc(code);
    expect(group).toMatchObject({ state: "open", memberCount: 1, paidCount: 1, offered: 1 });
    expect((await entry(code, waiters[0]!)).offeredUntil).not.toBeNull();

    // They take it and pay: the group completes with them.
    const taken = asJoin(await h.engine.groups.joinOrWait(waiters[0]!, code));
    await authorize(taken.order);
    expect((await groupDoc(code)).state).toBe("complete");
  });

  it("a group that closes with an offer pending withdraws it, and tells its holder", async () => {
    const { code, members, joins, waiters } = await fullWithWaitlist("d", 2, 3, 1);
    await authorize(joins[0]!.order);
    await authorize(joins[1]!.order);
    // The place is freed ten minutes before the deadline: the group closes before the offer runs out.
    h.clock.advance(6 * HOUR - 10 * MINUTE);
    await h.engine.groups.leave(members[2]!, code);
    expect((await groupDoc(code)).offered).toBe(1);
    h.clock.advance(10 * MINUTE);
    await h.engine.groups.sweep();
    const group = await groupDoc(code);
    expect(group).toMatchObject({ state: "complete", offered: 0 });
    expect(await entry(code, waiters[0]!)).toMatchObject({ placedIn: null, lapsedAt: h.clock.now() });
    await h.engine.outbox.runOnce();
    expect(
      dmsTo(waiters[0]!).filter((m) => m.text.includes("closed (complete) before you took")),
    ).toHaveLength(1);
    const card = [...h.messenger.posts.values()].find((p) => p.text.includes(`code ${code}`));
    expect(card?.text).not.toContain("offered to the waitlist");
  });

  it("the sibling rule stays: `size` waiting open a sibling, and the one holding an offer stays out of it", async () => {
    const { code, members, waiters } = await fullWithWaitlist("e", 2, 2, 1);
    await h.engine.groups.leave(members[0]!, code);
    const [more1, more2] = await people(h.engine, "e-x1", "e-x2");
    await h.engine.groups.joinOrWait(more1!, code);
    const placed = (await h.engine.groups.joinOrWait(more2!, code)) as Extract<
      WaitlistAnswer,
      { waitlisted: "placed" }
    >;
    expect(placed.waitlisted).toBe("placed");
    const sibling = await groupDoc(placed.sibling);
    expect(sibling.members.map((m) => m.userKey).sort()).toEqual([more1, more2].sort());
    expect(await entry(code, waiters[0]!)).toMatchObject({ placedIn: null });
    expect((await entry(code, waiters[0]!)).offeredUntil).not.toBeNull();
    expect(asJoin(await h.engine.groups.joinOrWait(waiters[0]!, code)).code).toBe(code);
  });
});
