import { afterAll, beforeAll, beforeEach, describe, expect, it } from "@jest/globals";
import type { Connection } from "mongoose";
import { engineOn, errorCode, type Harness, HOUR, people } from "../engine/support/harness";
import { dropConnection, freshConnection } from "../support/db";
import type { FakeStripe } from "../support/fake-stripe";
import { stripeEngine } from "../support/stripe-engine";

const SECRET_KEY = "sk_test_crowdcart_groups";
const WEBHOOK_SECRET = "whsec_crowdcart_groups";
const MINUTE = 60_000;

/**
 * Money held until the group succeeds, on the real engine and the real Stripe SDK against the
 * local fake Stripe, with Stripe's events arriving signed at the real webhook handler.
 */
describe("card holds with Stripe Checkout", () => {
  let connection: Connection;
  let fake: FakeStripe;
  let h: Harness;
  let close: () => Promise<void>;
  let ann: string;
  let bob: string;
  let cat: string;
  let dan: string;

  beforeAll(async () => {
    connection = await freshConnection("payholds");
    ({ h, fake, close } = await stripeEngine(connection, {
      secretKey: SECRET_KEY,
      webhookSecret: WEBHOOK_SECRET,
    }));
    [ann, bob, cat, dan] = (await people(h.engine, "ann", "bob", "cat", "dan")) as [
      string,
      string,
      string,
      string,
    ];
    await h.engine.users.register(bob, { region: "EU" });
  });

  afterAll(async () => {
    await close();
    await dropConnection(connection);
  });

  let captureCountBefore = 0;
  beforeEach(() => {
    h.messenger.clear();
    captureCountBefore = fake.calls.filter((c) => c.path.endsWith("/capture")).length;
  });

  const sessionOf = (orderId: string) => fake.sessionFor(orderId)!;
  const intentOf = (orderId: string) => fake.intent(sessionOf(orderId).payment_intent!)!;
  const shippingFor = async (orderId: string) =>
    (await h.engine.outbox.list({ kind: "shipping" }))
      .filter((m) => m.shipping?.orderId === orderId)
      .map((m) => m.shipping!.idempotencyKey);

  it("a join holds the place, answers with the Checkout link and sends no shipping request before money", async () => {
    const { code } = await h.engine.groups.open(ann, "KB-75", { size: 2, max: 3 });
    const joined = await h.engine.groups.join(bob, code, { qty: 2 });
    expect(joined.order.payment).toMatchObject({ state: "awaiting", capture: "manual" });
    const session = sessionOf(joined.order._id);
    expect(joined.payUrl).toBe(session.url);
    expect(session).toMatchObject({ amount_total: 25_800, currency: "eur", capture_method: "manual" });
    expect(joined.memberCount).toBe(1);
    await h.engine.outbox.runOnce();
    expect(await shippingFor(joined.order._id)).toEqual([]);
  });

  it("completes once max members are authorized: each hold captured at list − tier − rebate, shipping only after capture", async () => {
    const { code } = await h.engine.groups.open(ann, "KB-75", { size: 3, max: 3 });
    const joins = [
      await h.engine.groups.join(bob, code),
      await h.engine.groups.join(cat, code),
      await h.engine.groups.join(dan, code),
    ];
    // Every place is taken but nobody has paid: the group waits for the money.
    expect((await h.engine.groups.view(code)).state).toBe("open");
    for (const joined of joins.slice(0, 2)) await fake.pay(sessionOf(joined.order._id).id);
    expect((await h.engine.groups.view(code)).state).toBe("open");
    expect(await shippingFor(joins[0]!.order._id)).toEqual([]);
    await fake.pay(sessionOf(joins[2]!.order._id).id);
    expect((await h.engine.groups.view(code)).state).toBe("complete");

    await h.engine.outbox.runOnce();
    // 10% of 12 900 at three members; bob ships to the EU and gets its 300 rebate as well.
    expect(intentOf(joins[0]!.order._id)).toMatchObject({
      status: "succeeded",
      amount_received: 12_900 - 1_290 - 300,
    });
    expect(intentOf(joins[1]!.order._id)).toMatchObject({
      status: "succeeded",
      amount_received: 12_900 - 1_290,
    });
    const captures = fake.calls.filter((c) => c.path.endsWith("/capture") && !c.replayed);
    expect(captures.map((c) => c.idempotencyKey).sort()).toEqual(
      joins.map((j) => `${j.order._id}:capture`).sort(),
    );
    for (const joined of joins) {
      expect(await shippingFor(joined.order._id)).toEqual([joined.order._id]);
      expect((await h.engine.orders.get(joined.order._id))?.payment).toMatchObject({ state: "captured" });
    }
    const bobDm = h.messenger.sent.find((m) => m.userId === "bob" && m.text.includes("Charged"));
    expect(bobDm?.text).toContain("Charged: €113.10");
    expect(bobDm?.text).toContain("You saved €15.90");
    // No points: the discount was paid back by never charging it.
    expect(await h.engine.points.balance(bob)).toBe(0);
  });

  it("a group that fails releases every hold and captures none", async () => {
    const { code } = await h.engine.groups.open(ann, "KB-75", { size: 3, expiresInMs: 2 * HOUR });
    const joins = [await h.engine.groups.join(bob, code), await h.engine.groups.join(cat, code)];
    for (const joined of joins) await fake.pay(sessionOf(joined.order._id).id);
    h.clock.advance(2 * HOUR);
    await h.engine.groups.sweep();
    expect((await h.engine.groups.view(code)).state).toBe("failed");
    await h.engine.outbox.runOnce();
    for (const joined of joins) {
      expect(intentOf(joined.order._id).status).toBe("canceled");
      expect((await h.engine.orders.get(joined.order._id))?.payment?.state).toBe("released");
      expect(await shippingFor(joined.order._id)).toEqual([]);
    }
    expect(fake.calls.filter((c) => c.path.endsWith("/capture"))).toHaveLength(captureCountBefore);
  });

  it("a member who never pays gives the place back at the end of the window, and the checkout is closed", async () => {
    const { code } = await h.engine.groups.open(ann, "KB-75", { size: 2, max: 2 });
    const unpaid = await h.engine.groups.join(bob, code);
    h.clock.advance(30 * MINUTE - 1);
    await h.engine.groups.sweep();
    expect((await h.engine.groups.view(code)).memberCount).toBe(1);
    h.clock.advance(1);
    await h.engine.groups.sweep();
    expect((await h.engine.groups.view(code)).memberCount).toBe(0);
    expect(await h.engine.orders.get(unpaid.order._id)).toMatchObject({
      status: "cancelled",
      payment: { state: "expired" },
    });
    await h.engine.outbox.runOnce();
    expect(sessionOf(unpaid.order._id).status).toBe("expired");
    expect(h.messenger.sent.some((m) => m.userId === "bob" && m.text.includes("was given back"))).toBe(true);
    // The freed place can be taken again.
    const again = await h.engine.groups.join(cat, code);
    expect(again.memberCount).toBe(1);
  });

  it("an organiser cancel after capture refunds what was charged and cancels the shipping requests", async () => {
    const { code } = await h.engine.groups.open(ann, "KB-75", { size: 2, max: 2 });
    const joins = [await h.engine.groups.join(bob, code), await h.engine.groups.join(cat, code)];
    for (const joined of joins) await fake.pay(sessionOf(joined.order._id).id);
    await h.engine.outbox.runOnce();
    expect(intentOf(joins[0]!.order._id).status).toBe("succeeded");
    h.messenger.clear();

    const result = await h.engine.groups.act(ann, code, {
      action: "cancel",
      reason: "supplier out of stock",
    });
    expect(result.state).toBe("failed");
    await h.engine.outbox.runOnce();
    for (const joined of joins) {
      const charged = intentOf(joined.order._id).amount_received;
      const refunds = fake.allRefunds().filter((r) => r.payment_intent === intentOf(joined.order._id).id);
      expect(refunds.map((r) => r.amount)).toEqual([charged]);
      expect((await h.engine.orders.get(joined.order._id))?.payment?.state).toBe("refunded");
      expect((await shippingFor(joined.order._id)).sort()).toEqual([
        joined.order._id,
        `${joined.order._id}:cancelled`,
      ]);
    }
    const bobDm = h.messenger.sent.find((m) => m.userId === "bob");
    expect(bobDm?.text).toContain("supplier out of stock");
    expect(bobDm?.text).toContain("is refunded to your card");
  });

  it("without payments, a completed group still cannot be cancelled", async () => {
    const plain = await engineOn(connection, { clock: h.clock });
    const { code } = await plain.engine.groups.open(ann, "KB-75", { size: 2, max: 2 });
    await plain.engine.groups.join(bob, code);
    await plain.engine.groups.join(cat, code);
    expect(await errorCode(() => plain.engine.groups.act(ann, code, { action: "cancel" }))).toBe(
      "GROUP_NOT_OPEN",
    );
  });

  it("the organiser closes a group only with size members paid; the close captures their holds", async () => {
    const { code } = await h.engine.groups.open(ann, "KB-75", { size: 2, max: 5 });
    const joins = [await h.engine.groups.join(bob, code), await h.engine.groups.join(cat, code)];
    await fake.pay(sessionOf(joins[0]!.order._id).id);
    expect(await errorCode(() => h.engine.groups.act(ann, code, { action: "close" }))).toBe(
      "MEMBERS_MISSING",
    );
    await fake.pay(sessionOf(joins[1]!.order._id).id);
    expect((await h.engine.groups.act(ann, code, { action: "close" })).state).toBe("complete");
    await h.engine.outbox.runOnce();
    for (const joined of joins) expect(intentOf(joined.order._id).status).toBe("succeeded");
  });

  it("a sibling group opened for a full group's waitlist holds its members' money too", async () => {
    const [eve, fay] = (await people(h.engine, "eve", "fay")) as [string, string];
    const { code } = await h.engine.groups.open(ann, "KB-75", { size: 2, max: 2 });
    for (const who of [bob, cat]) {
      const joined = await h.engine.groups.join(who, code);
      await fake.pay(sessionOf(joined.order._id).id);
    }
    expect((await h.engine.groups.view(code)).state).toBe("complete");
    await h.engine.groups.joinOrWait(eve, code);
    const placed = await h.engine.groups.joinOrWait(fay, code);
    expect(placed).toMatchObject({ waitlisted: "placed" });
    const sibling = (placed as { sibling: string }).sibling;
    const orders = await h.engine.orders.forGroup(sibling);
    expect(orders.map((o) => o.payment?.state)).toEqual(["awaiting", "awaiting"]);
    await h.engine.outbox.runOnce();
    // No reply carried their links: each gets it by DM, and nothing ships before the money.
    for (const order of orders) {
      const link = sessionOf(order._id).url!;
      expect(h.messenger.sent.some((m) => m.text.includes(link))).toBe(true);
      expect(await shippingFor(order._id)).toEqual([]);
    }
    for (const order of orders) await fake.pay(sessionOf(order._id).id);
    expect((await h.engine.groups.view(sibling)).state).toBe("complete");
    await h.engine.outbox.runOnce();
    for (const order of orders) expect(intentOf(order._id).status).toBe("succeeded");
  });

  it("a capture answered 429 is retried by the outbox with back-off, and captures once", async () => {
    const { code } = await h.engine.groups.open(ann, "KB-75", { size: 2, max: 2 });
    const joins = [await h.engine.groups.join(bob, code), await h.engine.groups.join(cat, code)];
    for (const joined of joins) await fake.pay(sessionOf(joined.order._id).id);
    fake.rateLimitNext(2);
    await h.engine.outbox.runOnce();
    const limited = fake.calls.filter((c) => c.status === 429 && c.path.endsWith("/capture"));
    expect(limited).toHaveLength(2);
    expect(joins.every((j) => intentOf(j.order._id).status === "requires_capture")).toBe(true);
    h.clock.advance(HOUR);
    await h.engine.outbox.runOnce();
    for (const joined of joins) {
      expect(intentOf(joined.order._id).status).toBe("succeeded");
      const captures = fake.calls.filter(
        (c) => c.idempotencyKey === `${joined.order._id}:capture` && c.status === 200,
      );
      expect(captures).toHaveLength(1);
    }
  });

  it("a leave releases the member's hold", async () => {
    const { code } = await h.engine.groups.open(ann, "KB-75", { size: 3 });
    const joined = await h.engine.groups.join(bob, code);
    await fake.pay(sessionOf(joined.order._id).id);
    await h.engine.groups.leave(bob, code);
    await h.engine.outbox.runOnce();
    expect(intentOf(joined.order._id).status).toBe("canceled");
  });

  it("a paid member who leaves no longer counts toward completion", async () => {
    const { code } = await h.engine.groups.open(ann, "KB-75", { size: 2, max: 2 });
    const bobs = await h.engine.groups.join(bob, code);
    await fake.pay(sessionOf(bobs.order._id).id);
    await h.engine.groups.leave(bob, code);
    await h.engine.groups.join(dan, code);
    const cats = await h.engine.groups.join(cat, code);
    await fake.pay(sessionOf(cats.order._id).id);
    // One member has paid (cat): the group waits for dan's money instead of completing without it.
    const view = await h.engine.groups.view(code);
    expect(view.state).toBe("open");
    expect(await connection.collection("groups").findOne({ _id: code as never })).toMatchObject({
      paidCount: 1,
    });
  });

  it("an organiser cancel that comes before the capture charges nobody and ships nothing", async () => {
    const { code } = await h.engine.groups.open(ann, "KB-75", { size: 2, max: 2 });
    const joins = [await h.engine.groups.join(bob, code), await h.engine.groups.join(cat, code)];
    for (const joined of joins) await fake.pay(sessionOf(joined.order._id).id);
    expect((await h.engine.groups.view(code)).state).toBe("complete");
    // Cancelled while the captures still wait in the outbox.
    await h.engine.groups.act(ann, code, { action: "cancel", reason: "supplier out of stock" });
    await h.engine.outbox.runOnce();
    await h.engine.outbox.runOnce();
    for (const joined of joins) {
      expect(intentOf(joined.order._id)).toMatchObject({ status: "canceled", amount_received: 0 });
      expect((await h.engine.orders.get(joined.order._id))?.payment?.state).toBe("released");
      expect(await shippingFor(joined.order._id)).toEqual([]);
    }
  });

  it("events delivered twice and out of order change the order once", async () => {
    const { code } = await h.engine.groups.open(ann, "KB-75", { size: 3 });
    const joined = await h.engine.groups.join(cat, code);
    fake.holdEvents = true;
    await fake.pay(sessionOf(joined.order._id).id);
    const statuses = await fake.release((held) => [held[0]!, held[0]!, ...held.slice(1)]);
    expect(statuses).toEqual([200, 200]);
    const group = await connection.collection("groups").findOne({ _id: code as never });
    expect(group?.paidCount).toBe(1);
    expect((await h.engine.orders.get(joined.order._id))?.payment).toMatchObject({
      state: "authorized",
      held: 12_900,
    });
    // A late `expired` for a session already paid changes nothing either.
    const late = await h.engine.payments.apply({
      eventId: "evt_late_expired",
      kind: "expired",
      orderId: joined.order._id,
      checkoutId: sessionOf(joined.order._id).id,
      paymentId: null,
      amount: 0,
      currency: "EUR",
    });
    expect(late).toBe("ignored");
    expect((await h.engine.groups.view(code)).memberCount).toBe(1);
  });

  it("an amount or currency that does not match the order is refused, logged, and the hold released", async () => {
    const { code } = await h.engine.groups.open(ann, "KB-75", { size: 3 });
    const joined = await h.engine.groups.join(dan, code);
    fake.holdEvents = true;
    await fake.pay(sessionOf(joined.order._id).id);
    fake.held = [];
    fake.holdEvents = false;
    const intent = intentOf(joined.order._id);
    const claim = {
      kind: "authorized" as const,
      orderId: joined.order._id,
      checkoutId: sessionOf(joined.order._id).id,
      paymentId: intent.id,
    };
    expect(
      await h.engine.payments.apply({ ...claim, eventId: "evt_wrong_amount", amount: 1, currency: "EUR" }),
    ).toBe("refused");
    expect(
      await h.engine.payments.apply({
        ...claim,
        eventId: "evt_wrong_currency",
        amount: 12_900,
        currency: "USD",
      }),
    ).toBe("refused");
    expect((await h.engine.orders.get(joined.order._id))?.payment?.state).toBe("awaiting");
    await h.engine.outbox.runOnce();
    expect(intentOf(joined.order._id).status).toBe("canceled");
  });

  it("a payment lost on its way is found by the start-up reconciliation", async () => {
    const { code } = await h.engine.groups.open(ann, "KB-75", { size: 3 });
    const joined = await h.engine.groups.join(bob, code);
    fake.holdEvents = true;
    await fake.pay(sessionOf(joined.order._id).id);
    fake.held = [];
    fake.holdEvents = false;
    expect((await h.engine.orders.get(joined.order._id))?.payment?.state).toBe("awaiting");
    expect(await h.engine.payments.reconcile()).toBe(1);
    expect((await h.engine.orders.get(joined.order._id))?.payment?.state).toBe("authorized");
  });
});
