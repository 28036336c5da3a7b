import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { ManualClock } from "../../src/clock";
import { loadConfig } from "../../src/config";
import { silentLogger } from "../../src/logger";
import { type Service, startService } from "../../src/service";
import {
  TELEGRAM_BOT,
  TELEGRAM_SECRET,
  TELEGRAM_TOKEN,
  telegramClient,
} from "../adapters/telegram/telegram-client";
import { freshDatabaseUri } from "../support/db";
import { type FakeProduct, type FakeShopify, startFakeShopify } from "../support/fake-shopify";
import { type FakeTelegramApi, startFakeTelegramApi } from "../support/fake-telegram-api";
import { codeIn, playgroundSay } from "../support/playground-client";

/**
 * The whole service with STOREFRONT=shopify against the fake shop: the catalog comes from the
 * shop's products, a webhook makes an upstream change show, and every executed purchase lands as
 * one order in the shop (cancelled there when its group fails), whichever platform it came from.
 */
describe("crowdcart with a Shopify shop", () => {
  const clock = new ManualClock("2026-12-01T10:00:00Z");
  const databaseUri = freshDatabaseUri("shopify-e2e");
  let shop: FakeShopify;
  let telegramApi: FakeTelegramApi;
  let tg: ReturnType<typeof telegramClient>;
  let service: Service;
  let base = "";
  let keyboard: FakeProduct;

  const say = async (user: string, text: string) => (await playgroundSay(base, user, text)).text;
  const tiers = (percentOff: number) => JSON.stringify([{ members: 2, percentOff }]);

  async function start(): Promise<void> {
    const config = loadConfig(
      {
        NODE_ENV: "test",
        LOG_LEVEL: "silent",
        PORT: "0",
        PLAYGROUND: "true",
        STOREFRONT: "shopify",
        SHOPIFY_SHOP: shop.shop,
        SHOPIFY_ADMIN_TOKEN: shop.token,
        SHOPIFY_WEBHOOK_SECRET: shop.webhookSecret,
        SHOPIFY_API_URL: shop.apiUrl,
        TELEGRAM_BOT_TOKEN: TELEGRAM_TOKEN,
        TELEGRAM_WEBHOOK_SECRET: TELEGRAM_SECRET,
        TELEGRAM_API_ROOT: telegramApi.apiRoot,
      },
      "/nonexistent/.env",
    );
    service = await startService(config, silentLogger, { mongodbUri: databaseUri, clock });
    base = `http://127.0.0.1:${service.port}`;
    tg = telegramClient(base, telegramApi);
    await service.engine.catalog.settled();
  }

  /**
   * Outbox passes, the clock moved past each lease and back-off between them, until `done` holds
   * (the service's own worker delivers too, so a message a pass finds taken is waited for), then a
   * few more, so anything sent twice would show.
   */
  async function deliverUntil(done: () => boolean): Promise<void> {
    while (!done()) await pass();
    for (let more = 0; more < 4; more++) await pass();
  }

  async function pass(): Promise<void> {
    await service.engine.outbox.runOnce();
    clock.advance(60_000);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }

  /** A webhook Shopify sends after a product changed, and the reading it causes. */
  async function webhook(topic: string, productId: string, secret?: string): Promise<number> {
    const status = await shop.sendWebhook(
      `${base}/shopify/webhook`,
      topic,
      productId,
      secret ? { secret } : {},
    );
    await service.engine.catalog.settled();
    return status;
  }

  const ordersOfGroup = (code: string) =>
    shop.orders.filter((o) =>
      o.customAttributes.some((a) => a.key === "crowdcart_group" && a.value === code),
    );

  beforeAll(async () => {
    shop = await startFakeShopify();
    keyboard = shop.addProduct({
      title: "75% keyboard kit",
      variants: [{ sku: "KB-75", price: "129.00" }],
      metafields: { "crowdcart.tiers": tiers(10), "crowdcart.region_rebates": JSON.stringify({ EU: 300 }) },
    });
    shop.addProduct({
      title: "Keycaps",
      variants: [
        { sku: "KC-BLK", title: "Black", price: "45.00" },
        { sku: "KC-WHT", title: "White", price: "45.00" },
      ],
    });
    telegramApi = await startFakeTelegramApi({ bot: { id: 42, username: TELEGRAM_BOT } });
    await start();
  });

  afterAll(async () => {
    await service?.stop();
    await Promise.all([shop?.close(), telegramApi?.close()]);
  });

  it("sells the shop's products: /catalog on the playground lists them with their tiers", async () => {
    const catalog = await say("ann", "/catalog");
    expect(catalog).toContain("KB-75");
    expect(catalog).toContain("75% keyboard kit");
    expect(catalog).toContain("10%");
    expect(catalog).toContain("Keycaps - White");
    // Not the bundled demo catalog.
    expect(catalog).not.toContain("MAT-XL");
  });

  it("shows a tier edited in the shop once its signed webhook arrives", async () => {
    shop.updateProduct(keyboard.id, { metafields: { ...keyboard.metafields, "crowdcart.tiers": tiers(25) } });
    expect(await webhook("products/update", keyboard.id)).toBe(200);
    expect(await say("ann", "/catalog")).toContain("25%");
  });

  it("ignores a forged webhook: 401, and the catalog is not read again", async () => {
    shop.updateProduct(keyboard.id, { metafields: { ...keyboard.metafields, "crowdcart.tiers": tiers(40) } });
    const reads = shop.callsOf("CrowdcartCatalogPage").length;
    expect(await webhook("products/update", keyboard.id, "forged-secret-forged-secret")).toBe(401);
    expect(shop.callsOf("CrowdcartCatalogPage")).toHaveLength(reads);
    const catalog = await say("ann", "/catalog");
    expect(catalog).toContain("25%");
    expect(catalog).not.toContain("40%");
    shop.updateProduct(keyboard.id, { metafields: { ...keyboard.metafields, "crowdcart.tiers": tiers(25) } });
  });

  it("a group completed on the playground and Telegram lands as exactly one order per member", async () => {
    const code = codeIn(await say("ann", "/groupbuy KB-75 size=2"), "g");
    expect(await say("ann", `/join ${code}`)).toContain(`joined group ${code}`);
    const last = await tg.send("tess", `/join ${code}`);
    expect(last.text).toContain(`joined group ${code}`);

    await deliverUntil(() => ordersOfGroup(code).length >= 2);

    const orders = ordersOfGroup(code);
    expect(orders).toHaveLength(2);
    const members = orders
      .map((o) => o.customAttributes.find((a) => a.key === "crowdcart_member")?.value)
      .sort();
    expect(members).toEqual(["playground:ann", `telegram:${tg.idOf("tess")}`].sort());
    for (const order of orders) {
      expect(order.tags).toContain("crowdcart");
      expect(order.lineItems).toEqual([expect.objectContaining({ sku: "KB-75", quantity: 1 })]);
      expect(order.cancelledAt).toBeNull();
    }
  });

  it("a group that fails has its orders cancelled in the shop", async () => {
    const code = codeIn(await say("bob", "/groupbuy KC-BLK size=3"), "g");
    await say("bob", `/join ${code}`);
    await tg.send("tom", `/join ${code}`);
    await deliverUntil(() => ordersOfGroup(code).length >= 2);
    expect(ordersOfGroup(code)).toHaveLength(2);

    expect(await say("bob", `/group ${code} cancel supplier sold out`)).toMatch(/cancel/i);
    await deliverUntil(() => ordersOfGroup(code).every((order) => order.cancelledAt !== null));

    const orders = ordersOfGroup(code);
    expect(orders).toHaveLength(2);
    for (const order of orders) expect(order.cancelledAt).not.toBeNull();
    expect(shop.callsOf("CrowdcartCancelOrder")).toHaveLength(2);
  });

  it("a crash after the shop made an order, before crowdcart recorded it, makes no second order", async () => {
    const code = codeIn(await say("cid", "/groupbuy KB-75 size=2"), "g");
    // The shop makes the order but its answer never arrives; then the process dies.
    shop.dropAnswerOf("CrowdcartCreateOrder");
    await say("cid", `/join ${code}`);
    while (ordersOfGroup(code).length === 0) await pass();
    await service.stop();

    await start();
    await deliverUntil(() => true);

    expect(ordersOfGroup(code)).toHaveLength(1);
    expect(
      shop.callsOf("CrowdcartCreateOrder").filter((c) => JSON.stringify(c.variables).includes(code)),
    ).toHaveLength(1);
  });
});
