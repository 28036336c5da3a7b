import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { silentLogger } from "../../src/logger";
import { PaymentRefused, type PaymentReport } from "../../src/payments/port";
import { stripeClient, stripePayments } from "../../src/payments/stripe";
import { stripeWebhook } from "../../src/payments/stripe-webhook";
import { type FakeStripe, startFakeStripe } from "../support/fake-stripe";

const SECRET_KEY = "sk_test_crowdcart_provider";
const WEBHOOK_SECRET = "whsec_crowdcart_provider_test";
const MINUTE = 60_000;

let fake: FakeStripe;
let receiver: Server;
const reports: PaymentReport[] = [];

beforeAll(async () => {
  fake = await startFakeStripe({ secretKey: SECRET_KEY, webhookSecret: WEBHOOK_SECRET });
  const settings = { secretKey: SECRET_KEY, webhookSecret: WEBHOOK_SECRET, apiUrl: fake.url };
  receiver = createServer(
    stripeWebhook(
      stripeClient(settings),
      WEBHOOK_SECRET,
      async (report) => reports.push(report),
      silentLogger,
    ),
  );
  await new Promise<void>((resolve) => receiver.listen(0, "127.0.0.1", resolve));
  fake.webhookUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/stripe/webhook`;
});

afterAll(async () => {
  await fake.close();
  await new Promise((resolve) => receiver.close(resolve));
});

beforeEach(() => {
  reports.length = 0;
});

const provider = () =>
  stripePayments({ secretKey: SECRET_KEY, webhookSecret: WEBHOOK_SECRET, apiUrl: fake.url });

function hold(orderId: string, windowMs = 30 * MINUTE) {
  return provider().openCheckout({
    payFor: { orderId },
    lines: [{ description: "75% keyboard kit (KB-75)", unitAmount: 12_900, qty: 2 }],
    amount: 25_800,
    currency: "EUR",
    capture: "manual",
    expiresAt: new Date(Date.now() + windowMs),
    windowMs,
    returnUrl: "https://shop.test/g/ABC?m=token",
  });
}

test("a hold is a Checkout Session in payment mode with manual capture, the order in its metadata and a per-order Idempotency-Key", async () => {
  const checkout = await hold("ord_hold1");
  const call = fake.calls.find(
    (c) => c.path === "/v1/checkout/sessions" && c.idempotencyKey === "ord_hold1:checkout",
  );
  expect(call?.params).toMatchObject({
    mode: "payment",
    metadata: { orderId: "ord_hold1" },
    payment_intent_data: { capture_method: "manual", metadata: { orderId: "ord_hold1" } },
    line_items: { "0": { quantity: "2", price_data: { currency: "eur", unit_amount: "12900" } } },
  });
  const session = fake.session(checkout.id)!;
  expect(session.amount_total).toBe(25_800);
  expect(checkout.url).toBe(session.url);
  // Stripe keeps a session open at least 30 minutes: a 30-minute window leaves Stripe's own end
  // (24 hours), and crowdcart closes the session itself when the window ends.
  expect(call?.params).not.toHaveProperty("expires_at");
  expect(session.expires_at * 1000 - Date.now()).toBeGreaterThan(23 * 60 * MINUTE);
});

test("a window long enough for Stripe is the session's end; a retry a second later asks the same, whatever the window", async () => {
  const dueBy = new Date(Date.now() + 2 * 60 * MINUTE);
  const request = {
    payFor: { orderId: "ord_long" },
    lines: [{ description: "75% keyboard kit (KB-75)", unitAmount: 12_900, qty: 1 }],
    amount: 12_900,
    currency: "EUR",
    capture: "manual" as const,
    expiresAt: dueBy,
    windowMs: 2 * 60 * MINUTE,
    returnUrl: "https://shop.test/g/ABC",
  };
  const first = await provider().openCheckout(request);
  expect(fake.session(first.id)!.expires_at).toBe(Math.floor(dueBy.getTime() / 1000));
  // Both windows asked again a second later, as after a lost answer: nothing in the request counts
  // from now, so Stripe replays each session instead of refusing the reused key.
  const short = await hold("ord_short");
  await new Promise((resolve) => setTimeout(resolve, 1_100));
  expect(await provider().openCheckout(request)).toEqual(first);
  expect(await hold("ord_short")).toEqual(short);
});

test("asking twice for one order's checkout answers the first session again (an idempotent replay)", async () => {
  const first = await hold("ord_twice");
  const second = await hold("ord_twice");
  expect(second).toEqual(first);
  const calls = fake.calls.filter((c) => c.idempotencyKey === "ord_twice:checkout");
  expect(calls.map((c) => c.replayed)).toEqual([false, true]);
  expect(fake.allSessions().filter((s) => s.metadata.orderId === "ord_twice")).toHaveLength(1);
});

test("a 429 is thrown for the caller to retry, and the retry succeeds", async () => {
  fake.rateLimitNext(1);
  await expect(hold("ord_busy")).rejects.toMatchObject({ type: "StripeRateLimitError" });
  const checkout = await hold("ord_busy");
  expect(fake.session(checkout.id)?.metadata.orderId).toBe("ord_busy");
});

test("a hold is captured for less than was held, then refunded; each call keyed <orderId>:<action>", async () => {
  const checkout = await hold("ord_capture");
  await fake.pay(checkout.id);
  const intentId = fake.session(checkout.id)!.payment_intent!;
  expect(fake.intent(intentId)?.status).toBe("requires_capture");
  await provider().capture("ord_capture", intentId, 20_640);
  expect(fake.intent(intentId)).toMatchObject({ status: "succeeded", amount_received: 20_640 });
  // A retried capture (the outbox after a crash) replays the first answer instead of failing.
  await provider().capture("ord_capture", intentId, 20_640);
  expect(fake.calls.filter((c) => c.idempotencyKey === "ord_capture:capture").map((c) => c.replayed)).toEqual(
    [false, true],
  );
  await provider().refund("ord_capture", intentId, 20_640);
  expect(
    fake
      .allRefunds()
      .filter((r) => r.payment_intent === intentId)
      .map((r) => r.amount),
  ).toEqual([20_640]);
});

test("a release cancels the PaymentIntent; releasing an already cancelled one counts as done", async () => {
  const checkout = await hold("ord_release");
  await fake.pay(checkout.id);
  const intentId = fake.session(checkout.id)!.payment_intent!;
  await provider().release("ord_release", intentId);
  expect(fake.intent(intentId)?.status).toBe("canceled");
  await expect(
    stripePayments({ secretKey: SECRET_KEY, webhookSecret: WEBHOOK_SECRET, apiUrl: fake.url }).release(
      "ord_release_other",
      intentId,
    ),
  ).resolves.toBeUndefined();
});

test("capturing a released hold is refused for good, not retried", async () => {
  const checkout = await hold("ord_gone");
  await fake.pay(checkout.id);
  const intentId = fake.session(checkout.id)!.payment_intent!;
  await provider().release("ord_gone", intentId);
  const refusal = await provider()
    .capture("ord_gone", intentId, 100)
    .catch((e: unknown) => e);
  expect(refusal).toBeInstanceOf(PaymentRefused);
  expect((refusal as PaymentRefused).code).toBe("payment_intent_unexpected_state");
});

test("an unpaid checkout is expired; expiring it again, or one already paid, is not an error", async () => {
  const checkout = await hold("ord_expire");
  await provider().expireCheckout("ord_expire", checkout.id);
  expect(fake.session(checkout.id)?.status).toBe("expired");
  const paid = await hold("ord_expire_paid");
  await fake.pay(paid.id);
  await expect(provider().expireCheckout("ord_expire_paid", paid.id)).resolves.toBeUndefined();
});

test("the signed completion becomes an authorized report read from the PaymentIntent; a lookup says the same", async () => {
  const checkout = await hold("ord_events");
  const event = await fake.pay(checkout.id);
  const intentId = fake.session(checkout.id)!.payment_intent!;
  const authorized = {
    kind: "authorized",
    orderId: "ord_events",
    checkoutId: checkout.id,
    paymentId: intentId,
    amount: 25_800,
    currency: "EUR",
  };
  expect(reports).toEqual([{ ...authorized, eventId: event.id }]);
  expect(fake.delivered.at(-1)).toMatchObject({ eventId: event.id, status: 200 });
  expect(await provider().lookup(checkout.id)).toMatchObject(authorized);
});

test("a declined card reports nothing: the place waits for another card or the end of the window", async () => {
  const checkout = await hold("ord_declined");
  const event = await fake.decline(checkout.id);
  expect(event.type).toBe("payment_intent.payment_failed");
  expect(fake.delivered.at(-1)).toMatchObject({ eventId: event.id, status: 200 });
  expect(reports).toEqual([]);
  expect(fake.session(checkout.id)?.status).toBe("open");
});

test("an event with a forged, stale or missing signature gets 400 and reports nothing", async () => {
  const checkout = await hold("ord_forged");
  fake.holdEvents = true;
  const event = await fake.pay(checkout.id);
  fake.held = [];
  fake.holdEvents = false;
  const payload = JSON.stringify(event);
  const post = (headers: Record<string, string>, body = payload) =>
    fetch(fake.webhookUrl!, {
      method: "POST",
      headers: { "content-type": "application/json", ...headers },
      body,
    });
  const signer = stripeClient({ secretKey: SECRET_KEY, webhookSecret: WEBHOOK_SECRET });
  const wrongSecret = signer.webhooks.generateTestHeaderString({ payload, secret: "whsec_someone_else" });
  const stale = signer.webhooks.generateTestHeaderString({
    payload,
    secret: WEBHOOK_SECRET,
    timestamp: Math.floor(Date.now() / 1000) - 3600,
  });
  const goodHeader = signer.webhooks.generateTestHeaderString({ payload, secret: WEBHOOK_SECRET });
  const tampered = payload.replace('"ord_forged"', '"ord_someone_else"');
  for (const response of [
    await post({ "stripe-signature": wrongSecret }),
    await post({ "stripe-signature": stale }),
    await post({}),
    await post({ "stripe-signature": goodHeader }, tampered),
  ]) {
    expect(response.status).toBe(400);
  }
  expect(reports).toEqual([]);
});

test("a session left unpaid past its expires_at expires on Stripe's clock: it can no longer be paid, and says so", async () => {
  let later = 0;
  const clocked = await startFakeStripe({
    secretKey: SECRET_KEY,
    webhookSecret: WEBHOOK_SECRET,
    webhookUrl: fake.webhookUrl!,
    now: () => Date.now() + later,
  });
  try {
    const own = stripePayments({ secretKey: SECRET_KEY, webhookSecret: WEBHOOK_SECRET, apiUrl: clocked.url });
    const checkout = await own.openCheckout({
      payFor: { orderId: "ord_lapsed" },
      lines: [{ description: "75% keyboard kit (KB-75)", unitAmount: 12_900, qty: 1 }],
      amount: 12_900,
      currency: "EUR",
      capture: "manual",
      expiresAt: new Date(Date.now() + 60 * MINUTE),
      windowMs: 60 * MINUTE,
      returnUrl: "https://shop.test/g/ABC",
    });
    later = 70 * MINUTE;
    await expect(clocked.pay(checkout.id)).rejects.toThrow("is not open");
    expect(await own.lookup(checkout.id)).toMatchObject({ kind: "expired", orderId: "ord_lapsed" });
    await clocked.settled();
    expect(reports).toEqual([expect.objectContaining({ kind: "expired", orderId: "ord_lapsed" })]);
  } finally {
    await clocked.close();
  }
});
