import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { ManualClock } from "../../src/clock";
import { readVariables } from "../../src/config/variables";
import { silentLogger } from "../../src/logger";
import type { ShippingRequest, Storefront } from "../../src/storefront/port";
import {
  createShopifyStorefront,
  SHOPIFY_VARIABLES,
  type ShopifySettings,
} from "../../src/storefront/shopify";
import { type FakeShopify, startFakeShopify } from "../support/fake-shopify";

let clock: ManualClock;
let shop: FakeShopify;
let storefront: Storefront;
/** Every wait the connector asked for, in order; spent by moving the shared clock, never by sleeping. */
let waits: number[];

function settingsFor(fake: FakeShopify, overrides: Partial<ShopifySettings> = {}): ShopifySettings {
  return {
    shop: fake.shop,
    adminToken: fake.token,
    webhookSecret: fake.webhookSecret,
    apiUrl: fake.apiUrl,
    refreshEveryMs: 300_000,
    ...overrides,
  };
}

function connect(overrides: Partial<ShopifySettings> = {}): Storefront {
  return createShopifyStorefront(settingsFor(shop, overrides), {
    log: silentLogger,
    clock,
    sleep: async (ms) => {
      waits.push(ms);
      clock.advance(ms);
    },
  });
}

beforeEach(async () => {
  clock = new ManualClock("2026-12-01T10:00:00Z");
  waits = [];
  shop = await startFakeShopify({ now: () => clock.now().getTime() });
  storefront = connect();
});

afterEach(async () => {
  await storefront.stop();
  await shop.close();
});

function request(overrides: Partial<ShippingRequest> = {}): ShippingRequest {
  return {
    orderId: "ord_AbCdEfGhIjKlMnOp",
    status: "requested",
    groupCode: "7KQ3MX9P2HABC",
    sku: "KB-75",
    qty: 2,
    user: "slack:T1:U1",
    region: "EU",
    createdAt: "2026-12-01T10:00:00.000Z",
    ...overrides,
  };
}

const deliver = (r: ShippingRequest) => storefront.orders.deliver(r, JSON.stringify(r));

describe("catalog", () => {
  test("reads every active product across pages, one entry per variant with a SKU, tiers and rebates from metafields", async () => {
    shop.addProduct({
      title: "75% keyboard kit",
      variants: [{ sku: "KB-75", price: "129.00" }],
      metafields: {
        "crowdcart.tiers": JSON.stringify([
          { members: 3, percentOff: 10 },
          { members: 5, percentOff: 20 },
        ]),
        "crowdcart.region_rebates": JSON.stringify({ EU: 300 }),
      },
    });
    shop.addProduct({
      title: "Keycaps",
      variants: [
        { sku: "KC-BLK", title: "Black", price: "45.50" },
        { sku: "KC-WHT", title: "White", price: "45.50" },
        { sku: null, title: "Sample", price: "0.00" },
      ],
    });
    // 60 variants: the first page of the product holds 30, the rest are followed by cursor.
    shop.addProduct({
      title: "Switches",
      variants: Array.from({ length: 60 }, (_, i) => ({ sku: `SW-${i}`, title: `Kind ${i}`, price: "0.35" })),
    });
    shop.addProduct({
      title: "Not yet on sale",
      status: "DRAFT",
      variants: [{ sku: "DRAFT-1", price: "1.00" }],
    });
    for (let i = 0; i < 40; i++)
      shop.addProduct({ title: `Mat ${i}`, variants: [{ sku: `MAT-${i}`, price: "19.99" }] });

    const read = await storefront.catalog.read();

    expect(read.rejections).toEqual([]);
    expect(read.entries).toHaveLength(1 + 2 + 60 + 40);
    expect(read.entries[0]).toEqual({
      sku: "KB-75",
      name: "75% keyboard kit",
      price: 12900,
      currency: "EUR",
      tiers: [
        { members: 3, percentOff: 10 },
        { members: 5, percentOff: 20 },
      ],
      regionRebates: { EU: 300 },
    });
    expect(read.entries.find((e) => e.sku === "KC-WHT")).toMatchObject({
      name: "Keycaps - White",
      price: 4550,
      tiers: [],
    });
    expect(read.entries.find((e) => e.sku === "SW-59")).toMatchObject({
      name: "Switches - Kind 59",
      price: 35,
    });
    expect(read.entries.find((e) => e.sku === "MAT-39")).toMatchObject({ name: "Mat 39", price: 1999 });
    expect(read.entries.some((e) => e.sku === "DRAFT-1")).toBe(false);
    // 43 active products at 20 a page: three pages; one product needed a second page of variants.
    expect(shop.callsOf("CrowdcartCatalogPage")).toHaveLength(3);
    expect(shop.callsOf("CrowdcartProductVariants")).toHaveLength(1);
    expect(storefront.catalog.refreshEveryMs).toBe(300_000);
  });

  test("prices follow the shop's currency: yen have no minor unit", async () => {
    await shop.close();
    shop = await startFakeShopify({ currencyCode: "JPY", now: () => clock.now().getTime() });
    storefront = connect();
    shop.addProduct({ title: "Desk mat", variants: [{ sku: "MAT-XL", price: "3200.0" }] });
    const read = await storefront.catalog.read();
    expect(read.entries).toEqual([expect.objectContaining({ sku: "MAT-XL", price: 3200, currency: "JPY" })]);
  });

  test("a product with a bad metafield is left out with one line naming it; the others are read", async () => {
    shop.addProduct({ title: "Good kit", variants: [{ sku: "GOOD-1", price: "10.00" }] });
    const bad = shop.addProduct({
      title: "Bad tiers",
      variants: [{ sku: "BAD-1", price: "10.00" }],
      metafields: { "crowdcart.tiers": JSON.stringify([{ members: 1, percentOff: 10 }]) },
    });
    const broken = shop.addProduct({
      title: "Broken rebates",
      variants: [{ sku: "BAD-2", price: "10.00" }],
      metafields: { "crowdcart.region_rebates": "{EU: 300" },
    });
    shop.addProduct({ title: "Clash", variants: [{ sku: "good-1", price: "10.00" }] });

    const read = await storefront.catalog.read();

    expect(read.entries.map((e) => e.sku)).toEqual(["GOOD-1"]);
    expect(read.rejections).toEqual([
      `shopify: product "Bad tiers" (${bad.id}) left out: variant BAD-1: crowdcart.tiers: members must be at least 2`,
      `shopify: product "Broken rebates" (${broken.id}) left out: metafield crowdcart.region_rebates is not valid JSON`,
      expect.stringMatching(/^shopify: product "Clash" .* left out: SKU good-1 is also on "Good kit"/),
    ]);
  });

  test("a wrong access token is a clear failure, not an empty catalog", async () => {
    await storefront.stop();
    storefront = connect({ adminToken: "shpat_wrongwrongwrongwrong" });
    await expect(storefront.catalog.read()).rejects.toThrow(/CrowdcartCatalogPage refused: .*Unauthorized/);
  });
});

describe("throttling", () => {
  test("a THROTTLED call waits until the bucket holds its cost, then is retried", async () => {
    shop.addProduct({ title: "Kit", variants: [{ sku: "KB-75", price: "129.00" }] });
    shop.setBucket(0);

    const read = await storefront.catalog.read();

    expect(read.entries).toHaveLength(1);
    const pages = shop.callsOf("CrowdcartCatalogPage");
    expect(pages.map((c) => c.throttled)).toEqual([true, false]);
    // The page asks for 3 + 20 × 33 = 663 points at 50 a second: 13.26 s.
    expect(waits).toEqual([13_260]);
  });

  test("after a costly read, the next call waits for the points it cost last time instead of being refused", async () => {
    // One full page: 20 products of 30 variants, 663 points spent of the 1,000.
    for (let p = 0; p < 20; p++) {
      const variants = Array.from({ length: 30 }, (_, v) => ({
        sku: `P${p}-V${v}`,
        title: `V${v}`,
        price: "1.00",
      }));
      shop.addProduct({ title: `Product ${p}`, variants });
    }
    await storefront.catalog.read();
    await storefront.catalog.read();

    expect(shop.callsOf("CrowdcartCatalogPage").map((c) => c.throttled)).toEqual([false, false]);
    // 337 points left, 663 wanted, 50 a second back: 6.52 s.
    expect(waits).toEqual([6520]);
  });

  test("429 waits out Retry-After and a 5xx backs off; both are retried", async () => {
    shop.addProduct({ title: "Kit", variants: [{ sku: "KB-75", price: "129.00" }] });
    shop.rateLimitNext(2, "3.0");
    shop.failNext(1, 503);

    const read = await storefront.catalog.read();

    expect(read.entries).toHaveLength(1);
    expect(shop.callsOf("CrowdcartCatalogPage").map((c) => c.status)).toEqual([429, 429, 503, 200]);
    expect(waits).toEqual([3000, 3000, 4000]);
  });

  test("retries are bounded: a shop that keeps answering 429 fails the call", async () => {
    shop.rateLimitNext(10, "1.0");
    await expect(storefront.catalog.read()).rejects.toThrow(/429/);
    expect(shop.callsOf("CrowdcartCatalogPage")).toHaveLength(6);
  });
});

describe("orders", () => {
  beforeEach(() => {
    shop.addProduct({ title: "75% keyboard kit", variants: [{ sku: "KB-75", price: "129.00" }] });
  });

  test("an executed purchase becomes one order in the shop, tagged and carrying the group and member", async () => {
    expect(await deliver(request())).toEqual({ ok: true });
    expect(await deliver(request())).toEqual({ ok: true });

    expect(shop.orders).toHaveLength(1);
    const [order] = shop.orders;
    expect(order).toMatchObject({
      tags: ["crowdcart", "crowdcart-ord_AbCdEfGhIjKlMnOp"],
      sourceIdentifier: "crowdcart:ord_AbCdEfGhIjKlMnOp",
      lineItems: [{ sku: "KB-75", quantity: 2 }],
      cancelledAt: null,
    });
    expect(order!.customAttributes).toEqual(
      expect.arrayContaining([
        { key: "crowdcart_group", value: "7KQ3MX9P2HABC" },
        { key: "crowdcart_member", value: "slack:T1:U1" },
      ]),
    );
    expect(order!.note).toContain("7KQ3MX9P2HABC");
    expect(shop.callsOf("CrowdcartCreateOrder")).toHaveLength(1);
  });

  test("an order made in the shop whose answer was lost is found on the retry, not made twice", async () => {
    shop.dropAnswerOf("CrowdcartCreateOrder");

    const first = await deliver(request());
    expect(first.ok).toBe(false);
    expect(shop.orders).toHaveLength(1);

    expect(await deliver(request())).toEqual({ ok: true });
    expect(shop.orders).toHaveLength(1);
    // The write was not repeated in-process after the lost answer, nor on the retry.
    expect(shop.callsOf("CrowdcartCreateOrder")).toHaveLength(1);
  });

  test("the same order delivered twice at once (a lease that ran out mid-delivery) is made once", async () => {
    const results = await Promise.all([deliver(request()), deliver(request())]);
    expect(results).toEqual([{ ok: true }, { ok: true }]);
    expect(shop.orders).toHaveLength(1);
  });

  test("two orders of one member are two orders in the shop", async () => {
    await deliver(request());
    await deliver(request({ orderId: "ord_abcdefghijklmnop" }));
    expect(shop.orders).toHaveLength(2);
  });

  test("a SKU the shop does not have, or a quantity it refuses, fails with the shop's reason and makes nothing", async () => {
    const unknown = await deliver(request({ sku: "NOPE-1" }));
    expect(unknown).toEqual({ ok: false, reason: expect.stringContaining("no variant with SKU NOPE-1") });

    const zero = await deliver(request({ qty: 0 }));
    expect(zero).toEqual({
      ok: false,
      reason:
        "shopify refused the order: order.lineItems.0.quantity: Quantity must be greater than or equal to 1",
    });
    expect(shop.orders).toHaveLength(0);
  });

  test("a throttled order waits for the bucket and is created once", async () => {
    shop.setBucket(0);
    expect(await deliver(request())).toEqual({ ok: true });
    expect(shop.orders).toHaveLength(1);
    expect(waits.length).toBeGreaterThan(0);
  });

  test("a cancellation cancels the order there; again, or for an order never made, is done", async () => {
    await deliver(request());

    expect(await deliver(request({ status: "cancelled" }))).toEqual({ ok: true });
    expect(shop.orders[0]!.cancelledAt).not.toBeNull();
    expect(await deliver(request({ status: "cancelled" }))).toEqual({ ok: true });
    expect(await deliver(request({ orderId: "ord_neverplacedhere0", status: "cancelled" }))).toEqual({
      ok: true,
    });

    expect(shop.callsOf("CrowdcartCancelOrder")).toHaveLength(1);
  });
});

describe("webhook", () => {
  let server: Server;
  let url: string;
  let changes: number;

  beforeEach(async () => {
    changes = 0;
    storefront.catalog.onChange?.(() => changes++);
    const mount = storefront.mounts.find((m) => m.path === "/shopify/webhook");
    if (!mount || !("post" in mount)) throw new Error("no POST /shopify/webhook mount");
    server = createServer((req, res) => mount.post(req, res));
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/shopify/webhook`;
  });

  afterEach(() => new Promise<void>((resolve) => server.close(() => resolve())));

  test("a signed products/update asks for the catalog again; a repeated delivery only asks again", async () => {
    const product = shop.addProduct({ title: "Kit", variants: [{ sku: "KB-75", price: "129.00" }] });
    expect(await shop.sendWebhook(url, "products/update", product.id, { webhookId: "w-1" })).toBe(200);
    expect(await shop.sendWebhook(url, "products/update", product.id, { webhookId: "w-1" })).toBe(200);
    expect(await shop.sendWebhook(url, "products/delete", product.id)).toBe(200);
    expect(changes).toBe(3);
  });

  test("a forged signature is 401 and asks for nothing", async () => {
    const product = shop.addProduct({ title: "Kit", variants: [{ sku: "KB-75", price: "129.00" }] });
    expect(
      await shop.sendWebhook(url, "products/update", product.id, { secret: "not-the-shops-secret-at-all" }),
    ).toBe(401);
    const unsigned = await fetch(url, {
      method: "POST",
      headers: { "x-shopify-topic": "products/update" },
      body: "{}",
    });
    expect(unsigned.status).toBe(401);
    expect(changes).toBe(0);
  });

  test("other topics are acknowledged and ignored", async () => {
    const product = shop.addProduct({ title: "Kit", variants: [{ sku: "KB-75", price: "129.00" }] });
    expect(await shop.sendWebhook(url, "orders/create", product.id)).toBe(200);
    expect(changes).toBe(0);
  });
});

describe("variables", () => {
  const valid = {
    SHOPIFY_SHOP: "my-shop.myshopify.com",
    SHOPIFY_ADMIN_TOKEN: "shpat_0123456789abcdef0123456789abcdef",
    SHOPIFY_WEBHOOK_SECRET: "0123456789abcdef0123",
  };

  test("valid values pass", () => {
    expect(readVariables(SHOPIFY_VARIABLES, { ...valid, SHOPIFY_API_URL: "http://127.0.0.1:9000" })).toEqual({
      ...valid,
      SHOPIFY_API_URL: "http://127.0.0.1:9000",
    });
  });

  test.each([
    [
      "SHOPIFY_SHOP",
      "shop.example.com",
      /^config: SHOPIFY_SHOP is not valid: expected the shop's own <name>.myshopify.com/,
    ],
    ["SHOPIFY_SHOP", undefined, /SHOPIFY_SHOP is not valid/],
    [
      "SHOPIFY_ADMIN_TOKEN",
      "shpss_0123456789abcdef0123456789abcdef",
      /SHOPIFY_ADMIN_TOKEN is not valid: .*not its shpss_ API secret/,
    ],
    ["SHOPIFY_WEBHOOK_SECRET", "short", /SHOPIFY_WEBHOOK_SECRET is not valid: .*at least 16 characters/],
    ["SHOPIFY_API_URL", "ftp://x", /SHOPIFY_API_URL is not valid/],
  ])("a bad %s (%s) is one line naming it", (name, value, message) => {
    expect(() => readVariables(SHOPIFY_VARIABLES, { ...valid, [name]: value })).toThrow(message);
  });
});
