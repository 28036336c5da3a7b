import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import type { OrderDoc } from "../../models";
import { loadConfig } from "../../src/config";
import { silentLogger } from "../../src/logger";
import { stripeClient } from "../../src/payments";
import { type Service, startService } from "../../src/service";
import { freshDatabaseUri } from "../support/db";
import { eventually } from "../support/eventually";
import { type FakeStripe, startFakeStripe } from "../support/fake-stripe";
import { type FulfillmentReceiver, startFulfillmentReceiver } from "../support/fulfillment-receiver";
import { codeIn, playgroundSay } from "../support/playground-client";

const SECRET_KEY = "sk_test_crowdcart_service";
const WEBHOOK_SECRET = "whsec_crowdcart_service";
const FULFILLMENT_SECRET = "fulfillment-secret-0123456789";

function start(env: Record<string, string>, prefix: string): Promise<Service> {
  const config = loadConfig(
    { NODE_ENV: "test", LOG_LEVEL: "silent", PORT: "0", ...env },
    "/nonexistent/.env",
  );
  return startService(config, silentLogger, {
    mongodbUri: freshDatabaseUri(prefix),
    engine: { outbox: { pollMs: 100, backoffBaseMs: 100 } },
  });
}

const sessionIdIn = (text: string) => /cs_test_[0-9a-f]+/.exec(text)?.[0];

describe("PAYMENTS=stripe through the playground, the real webhook endpoint and the fake Stripe", () => {
  let fake: FakeStripe;
  let receiver: FulfillmentReceiver;
  let service: Service;
  let base: string;

  beforeAll(async () => {
    fake = await startFakeStripe({ secretKey: SECRET_KEY, webhookSecret: WEBHOOK_SECRET });
    receiver = await startFulfillmentReceiver(FULFILLMENT_SECRET);
    service = await start(
      {
        ...fake.env(),
        FULFILLMENT_WEBHOOK_URL: receiver.url,
        FULFILLMENT_WEBHOOK_SECRET: FULFILLMENT_SECRET,
      },
      "paysvc",
    );
    base = `http://127.0.0.1:${service.port}`;
    fake.webhookUrl = `${base}/stripe/webhook`;
  });

  afterAll(async () => {
    await service.stop();
    await receiver.close();
    await fake.close();
  });

  const shipped = () =>
    receiver.received.map((r) => JSON.parse(r.body) as { orderId: string; status: string });

  it("holds, then captures at completion; forged events change nothing; shipping goes only after capture", async () => {
    const opened = await playgroundSay(base, "ann", "/groupbuy KB-75 size=2");
    const code = codeIn(opened.text, "g");
    const bobJoin = await fetch(`${base}/playground/commands`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ user: "bob", text: `/join ${code}` }),
    }).then((r) => r.json() as Promise<{ text: string; visibility: string }>);
    expect(bobJoin.visibility).toBe("private");
    const bobSession = fake.session(sessionIdIn(bobJoin.text)!)!;
    expect(bobJoin.text).toContain(bobSession.url!);

    // A forged completion (signed with another secret) is refused and changes nothing.
    fake.holdEvents = true;
    const event = await fake.pay(bobSession.id);
    fake.held = [];
    fake.holdEvents = false;
    const payload = JSON.stringify(event);
    const forged = stripeClient({
      secretKey: SECRET_KEY,
      webhookSecret: WEBHOOK_SECRET,
    }).webhooks.generateTestHeaderString({
      payload,
      secret: "whsec_forger",
    });
    const refused = await fetch(`${base}/stripe/webhook`, {
      method: "POST",
      headers: { "content-type": "application/json", "stripe-signature": forged },
      body: payload,
    });
    expect(refused.status).toBe(400);
    const bobOrder = bobSession.metadata.orderId!;
    expect((await service.engine.orders.get(bobOrder))?.payment?.state).toBe("awaiting");
    // The real event, delivered twice.
    expect(await fake.send(event)).toBe(200);
    expect(await fake.send(event)).toBe(200);
    expect((await service.engine.orders.get(bobOrder))?.payment?.state).toBe("authorized");

    const catJoin = await playgroundSay(base, "cat", `/join ${code}`);
    const catSession = fake.session(sessionIdIn(catJoin.text)!)!;
    expect(shipped()).toEqual([]);
    await fake.pay(catSession.id);

    await eventually(
      "both shipping requests",
      async () => shipped(),
      (list) => list.length === 2,
    );
    for (const session of [bobSession, catSession]) {
      // Two members reach no tier of KB-75: the list price is captured, and only then shipped.
      expect(fake.intent(session.payment_intent!)).toMatchObject({
        status: "succeeded",
        amount_received: 12_900,
      });
    }
    expect(
      shipped()
        .map((s) => s.orderId)
        .sort(),
    ).toEqual([bobOrder, catSession.metadata.orderId].sort());
  });

  it("shows each member's payment on their personal page, and to the organiser in /group and the CSV", async () => {
    await playgroundSay(base, "eve", "/help");
    const code = codeIn((await playgroundSay(base, "ann", "/groupbuy KB-75 size=2 @eve @fay")).text, "g");
    const group = await service.db.connection.collection("groups").findOne({ _id: code as never });
    const token = (group!.invites as { userKey: string; token: string }[]).find((i) =>
      i.userKey.endsWith(":eve"),
    )!.token;
    const page = async () => (await fetch(`${base}/g/${code}?m=${encodeURIComponent(token)}`)).text();

    const eveSession = fake.session(sessionIdIn((await playgroundSay(base, "eve", `/join ${code}`)).text)!)!;
    const waiting = await page();
    expect(waiting).toContain('data-payment="awaiting"');
    expect(waiting).toContain(`href="${eveSession.url}"`);
    expect(waiting).toContain(">Pay</a>");
    await fake.pay(eveSession.id);
    const held = await page();
    expect(held).toContain('data-payment="authorized"');
    expect(held).not.toContain(">Pay</a>");

    const faySession = fake.session(sessionIdIn((await playgroundSay(base, "fay", `/join ${code}`)).text)!)!;
    await fake.pay(faySession.id);
    await eventually(
      "both captured",
      () => service.engine.orders.forGroup(code),
      (list) => list.every((o) => o.payment?.state === "captured"),
    );
    expect(await page()).toContain("charged €129.00");

    const status = await playgroundSay(base, "ann", `/group ${code}`);
    expect(status.text).toContain("[payment captured, €129.00]");
    const exportUrl = /https?:\/\/\S+\/orders\.csv\?k=\S+/.exec(status.text)![0];
    const csv = await (await fetch(exportUrl.replace(service.publicUrl, base))).text();
    const [header, ...rows] = csv.trim().split("\r\n");
    expect(header!.endsWith(",state,payment,charged")).toBe(true);
    expect(rows).toHaveLength(2);
    for (const row of rows) expect(row.endsWith(",placed,captured,129.00")).toBe(true);
  });

  it("the organiser's close says what members are charged, not points", async () => {
    const code = codeIn((await playgroundSay(base, "ann", "/groupbuy KB-75 size=2 max=3")).text, "g");
    for (const member of ["gil", "hal"]) {
      const joined = await playgroundSay(base, member, `/join ${code}`);
      await fake.pay(sessionIdIn(joined.text)!);
    }
    const closed = await playgroundSay(base, "ann", `/group ${code} close`);
    expect(closed.text).toContain(`Group ${code} is closed and complete`);
    expect(closed.text).toContain("charged the final group price");
    expect(closed.text).not.toContain("points");
  });

  it("refuses a group open longer than a card hold lasts, in one line", async () => {
    const refused = await playgroundSay(base, "ann", "/groupbuy KB-75 size=2 expires=7d");
    expect(refused.errorCode).toBe("HOLD_TOO_LONG");
    expect(refused.text).toContain("at most 6d");
    expect(refused.text).not.toContain("\n");
  });

  it("a cart is one Checkout Session for its lines, paid at once; its orders ship only once paid", async () => {
    await playgroundSay(base, "dan", "/cart add KC-PBT qty=2");
    const cartCode = codeIn((await playgroundSay(base, "dan", "/cart add SW-LIN")).text, "s");
    const checkout = await playgroundSay(base, "dan", "/cart checkout");
    const session = fake.session(sessionIdIn(checkout.text)!)!;
    expect(session).toMatchObject({ capture_method: "automatic", amount_total: 2 * 5_900 + 3_500 });
    expect(session.line_items.map((l) => [l.quantity, l.unit_amount])).toEqual([
      [2, 5_900],
      [1, 3_500],
    ]);
    // Locked while it waits for the money: one line says what to do.
    const refused = await playgroundSay(base, "dan", "/cart add MAT-XL");
    expect(refused.errorCode).toBe("CART_AWAITING_PAYMENT");
    expect(refused.text).not.toContain("\n");
    // The cart's page is where it is paid: one Pay button for the whole cart.
    const cartPage = async () => (await fetch(`${base}/s/${cartCode}`)).text();
    const unpaid = await cartPage();
    expect(unpaid).toContain('data-payment="awaiting"');
    expect(unpaid).toContain(`href="${session.url}"`);
    expect(unpaid).toContain(">Pay</a>");
    const ordersOfCart = () =>
      service.db.connection
        .collection<OrderDoc>("orders")
        .find({ sessionCode: cartCode.split("-")[0]! })
        .toArray();
    // Nothing is ordered (so nothing can ship) before the money.
    expect(await ordersOfCart()).toEqual([]);
    await fake.pay(session.id);
    const paid = await cartPage();
    expect(paid).toContain('data-payment="paid"');
    expect(paid).not.toContain(">Pay</a>");
    const orders = await ordersOfCart();
    expect(orders.map((o) => o.payment?.charged).sort((a, b) => a! - b!)).toEqual([3_500, 11_800]);
    await eventually(
      "the cart's shipping requests",
      async () => shipped(),
      (list) => orders.every((o) => list.some((s) => s.orderId === o._id)),
    );
  });
});

describe("PAYMENTS=demo: the pretend checkout page", () => {
  let service: Service;
  let base: string;

  beforeAll(async () => {
    const dir = mkdtempSync(join(tmpdir(), "paydemo-"));
    const catalog = join(dir, "catalog.json");
    writeFileSync(
      catalog,
      JSON.stringify([
        {
          sku: "KIT-1",
          name: '<b>Kit & "co"</b>',
          price: 1000,
          currency: "EUR",
          tiers: [],
          regionRebates: {},
        },
        { sku: "KIT-2", name: "Second kit", price: 500, currency: "EUR", tiers: [], regionRebates: {} },
        { sku: "KIT-US", name: "US kit", price: 700, currency: "USD", tiers: [], regionRebates: {} },
      ]),
    );
    service = await start({ PAYMENTS: "demo", CATALOG_FILE: catalog }, "paydemo");
    base = `http://127.0.0.1:${service.port}`;
  });

  afterAll(async () => {
    await service.stop();
  });

  it("shows a page marked as a demonstration; Decline changes nothing, Authorize takes the place", async () => {
    const code = codeIn((await playgroundSay(base, "ann", "/groupbuy KIT-1 size=2")).text, "g");
    const joined = await playgroundSay(base, "bob", `/join ${code}`);
    const link = /\/pay\/(demo_[A-Za-z0-9_-]+)/.exec(joined.text);
    expect(link).not.toBeNull();
    const page = await fetch(`${base}/pay/${link![1]}`);
    expect(page.status).toBe(200);
    expect(page.headers.get("content-security-policy")).toContain("form-action 'self'");
    const html = await page.text();
    expect(html).toContain("Demonstration");
    expect(html).toContain(">Authorize</button>");
    expect(html).toContain(">Decline</button>");
    expect(html).toContain("&lt;b&gt;Kit &amp; &quot;co&quot;&lt;/b&gt;");
    expect(html).not.toContain("<b>Kit");

    const orders = await service.engine.orders.forGroup(code);
    const declined = await fetch(`${base}/pay/${link![1]}/decline`, { method: "POST" });
    expect(await declined.text()).toContain("Declined");
    expect((await service.engine.orders.get(orders[0]!._id))?.payment?.state).toBe("awaiting");

    const authorized = await fetch(`${base}/pay/${link![1]}/authorize`, {
      method: "POST",
      redirect: "manual",
    });
    expect(authorized.status).toBe(303);
    expect((await service.engine.orders.get(orders[0]!._id))?.payment?.state).toBe("authorized");
    expect(await (await fetch(`${base}/pay/${link![1]}`)).text()).toContain("Authorized");
  });

  it("a cart's checkout is one pretend page for the cart total; Authorize pays it and places the orders", async () => {
    await playgroundSay(base, "cy", "/cart add KIT-1 qty=2");
    const cartCode = codeIn((await playgroundSay(base, "cy", "/cart add KIT-2")).text, "s");
    const checkout = await playgroundSay(base, "cy", "/cart checkout");
    const id = /\/pay\/(demo_[A-Za-z0-9_-]+)/.exec(checkout.text)![1]!;
    const html = await (await fetch(`${base}/pay/${id}`)).text();
    expect(html).toContain("Demonstration");
    expect(html).toContain("€25.00");
    expect(html).toContain("1 × Second kit (KIT-2)");
    expect(await (await fetch(`${base}/s/${cartCode}`)).text()).toContain(
      `href="${service.publicUrl}/pay/${id}"`,
    );
    const authorized = await fetch(`${base}/pay/${id}/authorize`, { method: "POST", redirect: "manual" });
    expect(authorized.status).toBe(303);
    expect(await (await fetch(`${base}/pay/${id}`)).text()).toContain("Paid: €25.00.");
    const orders = await service.db.connection
      .collection<OrderDoc>("orders")
      .find({ sessionCode: cartCode.split("-")[0]! })
      .toArray();
    expect(orders.map((o) => [o.sku, o.payment?.state]).sort()).toEqual([
      ["KIT-1", "paid"],
      ["KIT-2", "paid"],
    ]);
  });

  it("a cart mixing currencies is refused in one line: pay for them separately", async () => {
    await playgroundSay(base, "di", "/cart add KIT-1");
    await playgroundSay(base, "di", "/cart add KIT-US");
    const refused = await playgroundSay(base, "di", "/cart checkout");
    expect(refused.errorCode).toBe("CART_MIXED_CURRENCIES");
    expect(refused.text).toContain("EUR and USD");
    expect(refused.text).toContain("Remove KIT-US");
    expect(refused.text).not.toContain("\n");
  });

  it("an unknown checkout is a 404 page", async () => {
    const missing = await fetch(`${base}/pay/demo_nothing_here_at_all_0000`);
    expect(missing.status).toBe(404);
    expect(await missing.text()).toContain("No checkout here");
  });
});
