import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "@jest/globals";
import { systemClock } from "../../src/clock";
import { ConfigError, readVariables } from "../../src/config/variables";
import { silentLogger } from "../../src/logger";
import { createMedusaStorefront, MEDUSA_VARIABLES } from "../../src/storefront/medusa";
import type { ShippingRequest, Storefront } from "../../src/storefront/port";
import { type FakeMedusa, startFakeMedusa } from "../support/fake-medusa";

const eur = (amount: number) => ({ amount, currency_code: "eur" });

function storefrontFor(fake: FakeMedusa, apiKey = fake.apiKey): Storefront {
  return createMedusaStorefront(
    { url: fake.url, apiKey, refreshEveryMs: 300_000 },
    { log: silentLogger, clock: systemClock, retryDelaysMs: [0, 0] },
  );
}

let serial = 0;
function request(
  status: ShippingRequest["status"],
  overrides: Partial<ShippingRequest> = {},
): ShippingRequest {
  return {
    orderId: `ord_test${String(++serial).padStart(12, "0")}`,
    status,
    groupCode: "GRP-7Q2",
    sku: "KB-75",
    qty: 2,
    user: "telegram:4242",
    region: "EU",
    createdAt: "2026-01-01T12:00:00.000Z",
    ...overrides,
  };
}

const deliver = (storefront: Storefront, r: ShippingRequest) =>
  storefront.orders.deliver(r, JSON.stringify(r));

describe("the Medusa storefront's catalog", () => {
  let fake: FakeMedusa;
  beforeEach(async () => {
    fake = await startFakeMedusa();
  });
  afterEach(async () => {
    await fake.close();
  });

  it("reads every published variant with a SKU across pages, priced in minor units, with tiers and rebates from metadata", async () => {
    fake.addProduct({
      title: "75% keyboard kit",
      // As the Medusa admin saves it: text.
      metadata: {
        crowdcart_tiers: '[{"members":3,"percentOff":10},{"members":5,"percentOff":20}]',
        crowdcart_region_rebates: '{"EU":300}',
      },
      variants: [{ sku: "KB-75", prices: [eur(129), { amount: 140, currency_code: "usd" }] }],
    });
    fake.addProduct({
      title: "Keycaps",
      // As set through the API: JSON values.
      metadata: { crowdcart_tiers: [{ members: 4, percentOff: 15 }] },
      variants: [
        { title: "Black", sku: "KC-BLK", prices: [eur(39.9)] },
        // A price for the region the orders go to wins over the currency-wide one.
        {
          title: "White",
          sku: "KC-WHT",
          prices: [eur(45), { ...eur(42.5), rules: { region_id: fake.regionId } }],
        },
        { title: "Sample", sku: null, prices: [eur(1)] },
      ],
    });
    fake.addProduct({
      title: "Not yet for sale",
      status: "draft",
      variants: [{ sku: "DRAFT-1", prices: [eur(5)] }],
    });
    for (let i = 0; i < 150; i++) {
      fake.addProduct({ title: `Switch pack ${i}`, variants: [{ sku: `SW-${i}`, prices: [eur(0.99)] }] });
    }

    const { entries, rejections } = await storefrontFor(fake).catalog.read();

    expect(rejections).toEqual([]);
    expect(entries).toHaveLength(2 + 1 + 150);
    expect(entries.find((e) => e.sku === "KB-75")).toEqual({
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
    expect(entries.find((e) => e.sku === "KC-BLK")).toMatchObject({
      name: "Keycaps (Black)",
      price: 3990,
      tiers: [{ members: 4, percentOff: 15 }],
      regionRebates: {},
    });
    expect(entries.find((e) => e.sku === "KC-WHT")?.price).toBe(4250);
    expect(entries.find((e) => e.sku === "SW-149")).toMatchObject({ price: 99, tiers: [] });
    expect(entries.some((e) => e.sku === "DRAFT-1")).toBe(false);
    const pages = fake.calls.filter((c) => c.path === "/admin/products");
    expect(pages.map((c) => [c.query.offset, c.query.status])).toEqual([
      ["0", ["published"]],
      ["100", ["published"]],
    ]);
  });

  it("leaves out a product with bad crowdcart metadata or price, with one line naming it, and keeps the rest", async () => {
    const broken = fake.addProduct({
      title: "Broken JSON",
      metadata: { crowdcart_tiers: "[{members:3" },
      variants: [
        { sku: "BAD-1", prices: [eur(10)] },
        { sku: "BAD-2", prices: [eur(10)] },
      ],
    });
    const tooMuch = fake.addProduct({
      title: "Too generous",
      metadata: { crowdcart_tiers: '[{"members":3,"percentOff":150}]' },
      variants: [{ sku: "BAD-3", prices: [eur(10)] }],
    });
    fake.addProduct({ title: "Sub-cent", variants: [{ sku: "BAD-4", prices: [eur(10.005)] }] });
    fake.addProduct({
      title: "Dollars only",
      variants: [{ sku: "BAD-5", prices: [{ amount: 10, currency_code: "usd" }] }],
    });
    fake.addProduct({ title: "Good", variants: [{ sku: "OK-1", prices: [eur(10)] }] });

    const { entries, rejections } = await storefrontFor(fake).catalog.read();

    expect(entries.map((e) => e.sku)).toEqual(["OK-1"]);
    expect(rejections).toEqual([
      `Medusa product "Broken JSON" (${broken.id}): metadata crowdcart_tiers: not valid JSON (e.g. [{"members":3,"percentOff":10}]); skipped`,
      `Medusa product "Too generous" (${tooMuch.id}), variant BAD-3: tiers: percentOff must be below 100; skipped`,
      expect.stringMatching(
        /^Medusa product "Sub-cent" \(prod_\w+\), variant BAD-4: price: 10\.005 is not an amount in EUR; skipped$/,
      ),
      expect.stringMatching(/^Medusa product "Dollars only" .*variant BAD-5: no price in EUR .*; skipped$/),
    ]);
  });

  it("re-reads what was edited upstream", async () => {
    const kit = fake.addProduct({ title: "Kit", variants: [{ sku: "KB-75", prices: [eur(129)] }] });
    const storefront = storefrontFor(fake);
    expect((await storefront.catalog.read()).entries[0]?.tiers).toEqual([]);
    fake.setMetadata(kit.id, { crowdcart_tiers: '[{"members":2,"percentOff":5}]' });
    expect((await storefront.catalog.read()).entries[0]?.tiers).toEqual([{ members: 2, percentOff: 5 }]);
    fake.deleteProduct(kit.id);
    expect((await storefront.catalog.read()).entries).toEqual([]);
  });

  it("retries a 429 or a 5xx, and fails with one line when the key is refused, never showing the key", async () => {
    fake.addProduct({ title: "Kit", variants: [{ sku: "KB-75", prices: [eur(129)] }] });
    fake.failNext("GET /admin/products", { status: 429, message: "Too many requests", retryAfterSeconds: 0 });
    await expect(storefrontFor(fake).catalog.read()).resolves.toMatchObject({ entries: [{ sku: "KB-75" }] });
    fake.failNext("GET /admin/products", { status: 503 }, 2);
    await expect(storefrontFor(fake).catalog.read()).resolves.toMatchObject({ entries: [{ sku: "KB-75" }] });

    fake.failNext("GET /admin/products", { status: 502 }, 3);
    await expect(storefrontFor(fake).catalog.read()).rejects.toThrow(
      "Medusa answered HTTP 502 while reading the products: An unknown error occurred.",
    );

    const wrongKey = "sk_wrong0123456789abcdef";
    const refused = await storefrontFor(fake, wrongKey)
      .catalog.read()
      .catch((e: Error) => e.message);
    expect(refused).toBe("Medusa refused MEDUSA_API_KEY while reading the store (HTTP 401: Unauthorized)");
    expect(refused).not.toContain(wrongKey);
  });

  it("says when the backend cannot be reached", async () => {
    await fake.close();
    await expect(storefrontFor(fake).catalog.read()).rejects.toThrow(
      /^Medusa could not be reached while reading the store \(TypeError: fetch failed\)$/,
    );
    fake = await startFakeMedusa();
  });
});

describe("the Medusa storefront's orders", () => {
  let fake: FakeMedusa;
  let storefront: Storefront;
  let variantId: string;
  beforeAll(async () => {
    fake = await startFakeMedusa();
    storefront = storefrontFor(fake);
    variantId = fake.addProduct({ title: "Kit", variants: [{ sku: "KB-75", prices: [eur(129)] }] })
      .variants[0]!.id;
  });
  afterAll(async () => {
    await fake.close();
  });

  it("places a requested order as a draft order converted to an order, in the default region and sales channel", async () => {
    const r = request("requested");
    expect(await deliver(storefront, r)).toEqual({ ok: true });
    const [order, ...more] = fake.ordersFor(r.orderId);
    expect(more).toEqual([]);
    expect(order).toMatchObject({
      status: "pending",
      is_draft_order: false,
      region_id: fake.regionId,
      sales_channel_id: fake.salesChannelId,
      currency_code: "eur",
      no_notification: true,
      email: `telegram.4242+${r.orderId}@crowdcart.invalid`,
      items: [{ variant_id: variantId, quantity: 2 }],
      metadata: {
        crowdcart_order_id: r.orderId,
        crowdcart_group: "GRP-7Q2",
        crowdcart_member: "telegram:4242",
        crowdcart_region: "EU",
        crowdcart_created_at: "2026-01-01T12:00:00.000Z",
      },
    });
  });

  it("makes one order however often the same request is delivered", async () => {
    const r = request("requested", { sku: "kb-75" });
    for (let i = 0; i < 3; i++) expect(await deliver(storefront, r)).toEqual({ ok: true });
    expect(fake.ordersFor(r.orderId)).toHaveLength(1);
    const creates = fake.calls.filter((c) => c.method === "POST" && c.path === "/admin/draft-orders");
    expect(
      creates.filter(
        (c) => (c.body as { metadata: Record<string, unknown> }).metadata.crowdcart_order_id === r.orderId,
      ),
    ).toHaveLength(1);
  });

  it("finds the draft order whose answer was lost after Medusa made it, and converts it rather than making another", async () => {
    const r = request("requested");
    fake.dropAnswerAfterCommit("POST /admin/draft-orders");
    expect(await deliver(storefront, r)).toEqual({ ok: true });
    expect(fake.ordersFor(r.orderId)).toEqual([
      expect.objectContaining({ status: "pending", is_draft_order: false }),
    ]);
  });

  it("finds the order whose conversion answer was lost", async () => {
    const r = request("requested");
    fake.dropAnswerAfterCommit("POST /admin/draft-orders/:id/convert-to-order");
    expect(await deliver(storefront, r)).toEqual({ ok: true });
    expect(fake.ordersFor(r.orderId)).toEqual([expect.objectContaining({ status: "pending" })]);
  });

  it("converts, on the next delivery, a draft order left unconverted by a failed one", async () => {
    const r = request("requested");
    fake.failNext("POST /admin/draft-orders/:id/convert-to-order", { status: 500 }, 3);
    const failed = await deliver(storefront, r);
    expect(failed).toEqual({
      ok: false,
      reason: `Medusa answered HTTP 500 while delivering order ${r.orderId}: An unknown error occurred.`,
    });
    expect(fake.ordersFor(r.orderId)).toEqual([
      expect.objectContaining({ status: "draft", is_draft_order: true }),
    ]);

    expect(await deliver(storefront, r)).toEqual({ ok: true });
    expect(fake.ordersFor(r.orderId)).toEqual([
      expect.objectContaining({ status: "pending", is_draft_order: false }),
    ]);
  });

  it("cancels the order, once; a cancellation of an order never made, or of a draft, leaves no order", async () => {
    const r = request("requested");
    await deliver(storefront, r);
    const cancel = { ...r, status: "cancelled" as const };
    expect(await deliver(storefront, cancel)).toEqual({ ok: true });
    expect(fake.ordersFor(r.orderId)).toEqual([expect.objectContaining({ status: "canceled" })]);
    expect(await deliver(storefront, cancel)).toEqual({ ok: true });
    expect(fake.calls.filter((c) => c.path.endsWith("/cancel") && c.status === 200)).toHaveLength(1);

    expect(await deliver(storefront, request("cancelled"))).toEqual({ ok: true });

    const drafted = request("requested");
    fake.failNext("POST /admin/draft-orders/:id/convert-to-order", { status: 500 }, 3);
    await deliver(storefront, drafted);
    expect(await deliver(storefront, { ...drafted, status: "cancelled" })).toEqual({ ok: true });
    expect(fake.ordersFor(drafted.orderId)).toEqual([]);
  });

  it("a lost cancellation answer is found cancelled on the next try", async () => {
    const r = request("requested");
    await deliver(storefront, r);
    fake.dropAnswerAfterCommit("POST /admin/orders/:id/cancel");
    expect(await deliver(storefront, { ...r, status: "cancelled" })).toEqual({ ok: true });
    expect(fake.ordersFor(r.orderId)).toEqual([expect.objectContaining({ status: "canceled" })]);
  });

  it("waits out a 429's Retry-After, and hands a longer one to the outbox with the order", async () => {
    const r = request("requested");
    fake.failNext("GET /admin/orders", { status: 429, message: "Too many requests", retryAfterSeconds: 1 });
    const started = performance.now();
    expect(await deliver(storefront, r)).toEqual({ ok: true });
    expect(performance.now() - started).toBeGreaterThanOrEqual(990);
    expect(fake.ordersFor(r.orderId)).toHaveLength(1);

    const later = request("requested");
    const before = fake.calls.length;
    fake.failNext("GET /admin/orders", { status: 429, message: "Too many requests", retryAfterSeconds: 120 });
    expect(await deliver(storefront, later)).toEqual({
      ok: false,
      reason: `Medusa answered HTTP 429 while delivering order ${later.orderId}: Too many requests`,
      retryAfterMs: 120_000,
    });
    // Asked once, and left alone after.
    expect(fake.calls.slice(before).map((c) => [c.path, c.status])).toEqual([["/admin/orders", 429]]);
    expect(fake.ordersFor(later.orderId)).toEqual([]);
  });

  it("turns Medusa's refusals into one clear reason, and retries what passes", async () => {
    const unknown = request("requested", { sku: "GONE-1" });
    expect(await deliver(storefront, unknown)).toEqual({
      ok: false,
      reason: "Medusa has no variant with SKU GONE-1 any more",
    });

    const zero = request("requested", { qty: 0 });
    const refused = await deliver(storefront, zero);
    expect(refused).toEqual({
      ok: false,
      reason: expect.stringMatching(
        /^Medusa answered HTTP 400 while delivering order ord_\w+: Invalid request: .*quantity/,
      ),
    });
    expect(fake.ordersFor(zero.orderId)).toEqual([]);

    const busy = request("requested");
    fake.failNext("GET /admin/orders", { status: 429, message: "Too many requests", retryAfterSeconds: 0 });
    fake.failNext("POST /admin/draft-orders", { status: 503 });
    expect(await deliver(storefront, busy)).toEqual({ ok: true });
    expect(fake.ordersFor(busy.orderId)).toHaveLength(1);

    const locked = await deliver(storefrontFor(fake, "sk_wrong0123456789abcdef"), request("requested"));
    expect(locked).toEqual({
      ok: false,
      reason: expect.stringMatching(
        /^Medusa refused MEDUSA_API_KEY while delivering order ord_\w+ \(HTTP 401/,
      ),
    });
  });
});

describe("the Medusa variables", () => {
  const read = (env: NodeJS.ProcessEnv) => readVariables(MEDUSA_VARIABLES, env);

  it("takes a backend URL and a secret API key", () => {
    expect(
      read({ MEDUSA_URL: "https://shop.example.com:9000", MEDUSA_API_KEY: "sk_0123456789abcdef0123" }),
    ).toEqual({
      MEDUSA_URL: "https://shop.example.com:9000",
      MEDUSA_API_KEY: "sk_0123456789abcdef0123",
    });
  });

  it("names the variable that is missing or wrong in one line, never echoing the key", () => {
    expect(() => read({ MEDUSA_API_KEY: "sk_0123456789abcdef0123" })).toThrow(
      new ConfigError(
        "MEDUSA_URL",
        "the http(s) URL of your Medusa backend, such as https://shop.example.com:9000",
      ),
    );
    expect(() => read({ MEDUSA_URL: "shop.example.com", MEDUSA_API_KEY: "sk_0123456789abcdef0123" })).toThrow(
      /^config: MEDUSA_URL is not valid/,
    );
    expect(() => read({ MEDUSA_URL: "https://shop.example.com" })).toThrow(
      /^config: MEDUSA_API_KEY is not valid/,
    );
    const publishable = "pk_0123456789abcdef0123456789";
    expect(() => read({ MEDUSA_URL: "https://shop.example.com", MEDUSA_API_KEY: publishable })).toThrow(
      "config: MEDUSA_API_KEY is not valid: expected a secret API key from the Medusa admin (Settings → Secret API Keys), starting with sk_",
    );
  });
});
