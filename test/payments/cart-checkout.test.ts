import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "@jest/globals";
import type { Connection } from "mongoose";
import type Stripe from "stripe";
import type { OrderDoc } from "../../models";
import type { UserIdentity } from "../../src/kernel";
import { engineOn, errorCode, type Harness } from "../engine/support/harness";
import { dropConnection, freshConnection } from "../support/db";
import type { FakeStripe } from "../support/fake-stripe";
import { stripeEngine } from "../support/stripe-engine";

const SECRET_KEY = "sk_test_crowdcart_carts";
const WEBHOOK_SECRET = "whsec_crowdcart_carts";
const MINUTE = 60_000;

/**
 * A cart paid in one Checkout Session for all its lines, on the real engine and the real Stripe
 * SDK against the local fake Stripe, with Stripe's events arriving signed at the real webhook
 * handler. The engine's clock is the test's: the payment window ends when the test says.
 */
describe("a cart's checkout with payments on", () => {
  let connection: Connection;
  let fake: FakeStripe;
  let h: Harness;
  let close: () => Promise<void>;
  let turn = 0;
  let user: UserIdentity;
  let catalogFile: string;

  beforeAll(async () => {
    const dir = mkdtempSync(join(tmpdir(), "paycart-"));
    catalogFile = join(dir, "catalog.json");
    const product = (sku: string, price: number, currency: string) => ({
      sku,
      name: `Product ${sku}`,
      price,
      currency,
      tiers: [],
      regionRebates: {},
    });
    writeFileSync(
      catalogFile,
      JSON.stringify([
        product("KC-PBT", 5_900, "EUR"),
        product("SW-LIN", 3_500, "EUR"),
        product("PAD-US", 2_000, "USD"),
      ]),
    );
    connection = await freshConnection("paycarts");
    ({ h, fake, close } = await stripeEngine(connection, {
      secretKey: SECRET_KEY,
      webhookSecret: WEBHOOK_SECRET,
      catalogFile,
    }));
  });

  afterAll(async () => {
    await close();
    await dropConnection(connection);
  });

  beforeEach(async () => {
    // A shopper of their own per test: each starts from an empty cart.
    user = { platform: "playground", id: `shopper${++turn}` };
    await h.engine.users.touch({ ...user, displayName: user.id });
    h.messenger.clear();
  });

  const carts = () => h.engine.carts;
  const sessionsOfCart = (cartCheckoutId: string) =>
    fake.allSessions().filter((s) => s.metadata.cartCheckoutId === cartCheckoutId);
  const ordersOf = (serial: string) =>
    connection.collection<OrderDoc>("orders").find({ sessionCode: serial }).toArray();
  const shippingOf = async (orderIds: string[]) =>
    (await h.engine.outbox.list({ kind: "shipping" }))
      .filter((m) => orderIds.includes(m.shipping!.orderId))
      .map((m) => m.shipping!.idempotencyKey)
      .sort();

  /** The caller's cart with two EUR lines, checked out: the reply's link and the session it opened. */
  async function checkedOut() {
    await carts().add(user, "KC-PBT", 2);
    await carts().add(user, "SW-LIN");
    const result = await carts().checkout(user);
    const id = /cs_test_[0-9a-f]+/.exec(result.payment?.url ?? "")?.[0];
    const session = id ? fake.session(id) : undefined;
    if (!session) throw new Error(`no checkout link in ${JSON.stringify(result.payment)}`);
    return { result, session, cartCheckoutId: session.metadata.cartCheckoutId! };
  }

  /** Pays `sessionId` at Stripe with its event held back; the event, to send when the test says. */
  async function payHeld(sessionId: string): Promise<Stripe.Event> {
    fake.holdEvents = true;
    const event = await fake.pay(sessionId);
    fake.held = [];
    fake.holdEvents = false;
    return event;
  }

  it("opens one Checkout Session for all the cart's lines, with automatic capture, and locks the cart until paid", async () => {
    const { result, session, cartCheckoutId } = await checkedOut();
    expect(cartCheckoutId).toMatch(/^cart_/);
    expect(session).toMatchObject({ capture_method: "automatic", currency: "eur", amount_total: 15_300 });
    expect(session.line_items).toEqual([
      { description: "Product KC-PBT (KC-PBT)", quantity: 2, unit_amount: 5_900, amount_total: 11_800 },
      { description: "Product SW-LIN (SW-LIN)", quantity: 1, unit_amount: 3_500, amount_total: 3_500 },
    ]);
    const created = fake.calls.filter((c) => c.method === "POST" && c.path === "/v1/checkout/sessions");
    expect(created.filter((c) => c.idempotencyKey === `${cartCheckoutId}:checkout`)).toHaveLength(1);
    expect(sessionsOfCart(cartCheckoutId)).toHaveLength(1);
    // A 30-minute window is shorter than Stripe lets a session be: crowdcart closes it itself.
    expect(session.expires_at * 1000 - Date.now()).toBeGreaterThan(23 * 60 * MINUTE);
    expect(result).toMatchObject({ orders: [], payment: { amount: 15_300, currency: "EUR" } });

    // Nothing is ordered before the money: no order, no shipping request.
    expect(await ordersOf(result.cart.serial)).toEqual([]);
    // Locked: a change is refused in one line saying how to go on; show carries the Pay link.
    for (const change of [() => carts().add(user, "SW-LIN"), () => carts().remove(user, "KC-PBT")]) {
      expect(await errorCode(change)).toBe("CART_AWAITING_PAYMENT");
      await expect(change()).rejects.toThrow(`pay at ${session.url}`);
    }
    const shown = await carts().show(user);
    expect(shown).toMatchObject({ status: "paying", payment: { url: session.url, amount: 15_300 } });
    expect(shown.code).toBe(result.cart.code);
    // Checking out again answers the same checkout; no second session.
    expect((await carts().checkout(user)).payment?.url).toBe(session.url);
    expect(sessionsOfCart(cartCheckoutId)).toHaveLength(1);
  });

  it("the verified payment places the orders at the prices paid, sends their shipping requests and closes the cart, once", async () => {
    const { result, session } = await checkedOut();
    const event = await payHeld(session.id);
    expect(await fake.send(event)).toBe(200);
    const orders = await ordersOf(result.cart.serial);
    expect(orders.map((o) => [o.sku, o.qty, o.total, o.payment?.state, o.payment?.charged]).sort()).toEqual([
      ["KC-PBT", 2, 11_800, "paid", 11_800],
      ["SW-LIN", 1, 3_500, "paid", 3_500],
    ]);
    const ids = orders.map((o) => o._id);
    expect(await shippingOf(ids)).toEqual([...ids].sort());
    const closed = await carts().viewByCode(result.cart.code, user);
    expect(closed).toMatchObject({ kind: "closed" });
    if (closed.kind !== "closed") throw new Error("unreachable");
    expect(closed.payments?.map((p) => p.state)).toEqual(["paid", "paid"]);
    // A new /cart is a new session.
    expect((await carts().show(user)).code).not.toBe(result.cart.code);

    // The same event again, and Stripe's later report of the same payment, change nothing.
    expect(await fake.send(event)).toBe(200);
    const again = structuredClone(event) as Stripe.Event;
    (again as { id: string }).id = `${event.id}_async`;
    (again as { type: string }).type = "checkout.session.async_payment_succeeded";
    expect(await fake.send(again)).toBe(200);
    // An expiry arriving out of order, after the payment, changes nothing either.
    const late = structuredClone(event) as Stripe.Event;
    (late as { id: string }).id = `${event.id}_expired`;
    (late as { type: string }).type = "checkout.session.expired";
    (late.data.object as { status: string }).status = "expired";
    expect(await fake.send(late)).toBe(200);
    expect((await ordersOf(result.cart.serial)).map((o) => o._id).sort()).toEqual([...ids].sort());
    expect(await shippingOf(ids)).toEqual([...ids].sort());
    expect((await carts().viewByCode(result.cart.code, user)).kind).toBe("closed");
    expect(fake.allRefunds()).toEqual([]);
  });

  it("a window that ends unpaid opens the cart again, closes its checkout and says so; a new checkout is a new session", async () => {
    const { result, session, cartCheckoutId } = await checkedOut();
    h.clock.advance(30 * MINUTE - 1);
    await h.engine.groups.sweep();
    expect((await carts().show(user)).status).toBe("paying");
    h.clock.advance(1);
    await h.engine.groups.sweep();
    const reopened = await carts().show(user);
    expect(reopened).toMatchObject({ status: "open", code: result.cart.code });
    expect(reopened.payment).toBeUndefined();
    await h.engine.outbox.runOnce();
    expect(fake.session(session.id)?.status).toBe("expired");
    expect(h.messenger.sent.some((m) => m.userId === user.id && m.text.includes("not paid in time"))).toBe(
      true,
    );
    expect(await ordersOf(result.cart.serial)).toEqual([]);

    // Open again: it can change, and a new checkout opens a new session for the lines as they are.
    await carts().remove(user, "SW-LIN");
    const second = await carts().checkout(user);
    const next = fake.session(/cs_test_[0-9a-f]+/.exec(second.payment?.url ?? "")![0])!;
    expect(next.metadata.cartCheckoutId).not.toBe(cartCheckoutId);
    expect(next.amount_total).toBe(11_800);
    await fake.pay(next.id);
    expect((await ordersOf(result.cart.serial)).map((o) => o.sku)).toEqual(["KC-PBT"]);
  });

  it("Stripe's expiry event opens the cart again, and delivered again it does not touch the next checkout", async () => {
    const { result, session } = await checkedOut();
    fake.holdEvents = true;
    const expired = await fake.expire(session.id);
    fake.held = [];
    fake.holdEvents = false;
    expect(await fake.send(expired)).toBe(200);
    expect((await carts().show(user)).status).toBe("open");

    const second = await carts().checkout(user);
    expect(second.payment?.url).not.toBe(session.url);
    // The first checkout's expiry again (a redelivery) leaves the second one waiting.
    expect(await fake.send(expired)).toBe(200);
    expect((await carts().show(user)).status).toBe("paying");
    expect(await ordersOf(result.cart.serial)).toEqual([]);
  });

  it("a payment whose event was lost is found by the start-up reconciliation", async () => {
    const { result, session } = await checkedOut();
    await payHeld(session.id);
    expect((await carts().show(user)).status).toBe("paying");
    expect(await h.engine.payments.reconcile()).toBe(1);
    expect((await ordersOf(result.cart.serial)).map((o) => o.payment?.state)).toEqual(["paid", "paid"]);
    expect((await carts().viewByCode(result.cart.code, user)).kind).toBe("closed");
    // Found twice (a second start) is still one payment.
    expect(await h.engine.payments.reconcile()).toBe(0);
  });

  it("a cart mixing currencies is refused in one line naming what to remove", async () => {
    await carts().add(user, "KC-PBT");
    await carts().add(user, "PAD-US");
    expect(await errorCode(() => carts().checkout(user))).toBe("CART_MIXED_CURRENCIES");
    await expect(carts().checkout(user)).rejects.toThrow(/EUR and USD lines: .*Remove PAD-US/);
    expect((await carts().show(user)).status).toBe("open");
  });
  it("a cart left awaiting payment when PAYMENTS is switched off answers its checkout in one line", async () => {
    await checkedOut();
    // The same database, restarted with payments off: nothing can take this cart's money any more.
    const off = await engineOn(connection, { catalogFile, clock: h.clock });
    expect(await errorCode(() => off.engine.carts.checkout(user))).toBe("CART_PAYMENTS_OFF");
    await expect(off.engine.carts.checkout(user)).rejects.toThrow("ask the shop to settle it");
    expect((await off.engine.carts.show(user)).status).toBe("paying");
  });
});
