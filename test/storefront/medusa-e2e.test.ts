import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { ManualClock } from "../../src/clock";
import type { Service } from "../../src/service";
import { type SlackHarness, startSlackHarness } from "../adapters/slack/slack-harness";
import { type FakeMedusa, startFakeMedusa } from "../support/fake-medusa";
import { codeIn, playgroundSay } from "../support/playground-client";

/**
 * The whole service with STOREFRONT=medusa, chosen and configured from the environment as in
 * production, against the fake Medusa through the real JS SDK; people use it on the playground
 * and on Slack (signed slash commands, Slack's Web API faked).
 */
describe("crowdcart selling from a Medusa shop", () => {
  const clock = new ManualClock("2026-06-01T10:00:00Z");
  let fake: FakeMedusa;
  let slack: SlackHarness;
  let service: Service;
  let base: string;
  let keyboardId: string;
  const say = async (user: string, text: string) => (await playgroundSay(base, user, text)).text;
  /** A slash command typed on Slack in workspace T1 (its members are `slack:T1:<user id>`). */
  const slackSay = async (userId: string, line: string) => (await slack.command(userId, line)).reply.text;
  /** Delivery passes on the test clock, far enough apart for any back-off to be due. */
  const deliverAll = async (passes = 3) => {
    for (let pass = 0; pass < passes; pass++) {
      await service.engine.outbox.runOnce();
      clock.advance(20 * 60_000);
    }
  };
  const ordersOfGroup = (code: string) => fake.orders().filter((o) => o.metadata?.crowdcart_group === code);

  beforeAll(async () => {
    fake = await startFakeMedusa();
    keyboardId = fake.addProduct({
      title: "75% keyboard kit",
      metadata: {
        crowdcart_tiers: '[{"members":2,"percentOff":10}]',
        crowdcart_region_rebates: '{"EU":300}',
      },
      variants: [{ sku: "KB-75", prices: [{ amount: 129, currency_code: "eur" }] }],
    }).id;
    fake.addProduct({
      title: "Broken",
      metadata: { crowdcart_tiers: "not json" },
      variants: [{ sku: "BAD-1", prices: [{ amount: 1, currency_code: "eur" }] }],
    });
    // The Slack harness starts the service from these variables with Slack on as well, and signs
    // commands at the test clock's time, which the service checks their age against.
    slack = await startSlackHarness({
      env: { STOREFRONT: "medusa", MEDUSA_URL: fake.url, MEDUSA_API_KEY: fake.apiKey },
      clock,
    });
    service = slack.service;
    base = `http://127.0.0.1:${service.port}`;
    // Deliveries happen only in the passes the tests run, so each step is seen whole.
    await service.engine.outbox.worker.stop();
  });
  afterAll(async () => {
    await slack?.stop();
    await fake?.close();
  });

  it("sells the shop's products, priced from Medusa, and leaves out the one with bad metadata", async () => {
    const catalog = await say("ann", "/catalog");
    expect(catalog).toContain("KB-75");
    expect(catalog).toContain("75% keyboard kit");
    expect(catalog).toMatch(/129[.,]00/);
    expect(catalog).toContain("10%");
    expect(catalog).not.toContain("BAD-1");
  });

  it("shows a tier edited in Medusa after the next refresh", async () => {
    fake.setMetadata(keyboardId, { crowdcart_tiers: '[{"members":2,"percentOff":25}]' });
    await service.engine.catalog.refresh();
    const catalog = await say("ann", "/catalog");
    expect(catalog).toContain("25%");
    expect(catalog).not.toContain("10%");
  });

  const membersOfGroup = (code: string) =>
    ordersOfGroup(code)
      .map((o) => [o.metadata?.crowdcart_member, o.items[0]?.quantity, o.status])
      .sort();

  it("places exactly one Medusa order per member of a group completed on the playground and Slack", async () => {
    const code = codeIn(await say("ann", "/groupbuy KB-75 size=2"), "g");
    expect(await say("ann", `/join ${code}`)).toContain(`joined group ${code}`);
    expect(await slackSay("UBOB", `/joingroup ${code} qty=2`)).toContain(`joined group ${code}`);
    await deliverAll();
    await deliverAll();

    expect(membersOfGroup(code)).toEqual([
      ["playground:ann", 1, "pending"],
      ["slack:T1:UBOB", 2, "pending"],
    ]);
    expect(new Set(ordersOfGroup(code).map((o) => o.metadata?.crowdcart_order_id)).size).toBe(2);
  });

  it("cancels the Medusa orders of a group that fails, the Slack member's among them", async () => {
    const code = codeIn(await say("cid", "/groupbuy KB-75 size=3"), "g");
    await say("dee", `/join ${code}`);
    expect(await slackSay("UEVE", `/joingroup ${code}`)).toContain(`joined group ${code}`);
    await deliverAll();
    expect(membersOfGroup(code)).toEqual([
      ["playground:dee", 1, "pending"],
      ["slack:T1:UEVE", 1, "pending"],
    ]);

    await say("cid", `/group ${code} cancel not enough interest`);
    await deliverAll();
    expect(membersOfGroup(code)).toEqual([
      ["playground:dee", 1, "canceled"],
      ["slack:T1:UEVE", 1, "canceled"],
    ]);
  });

  it("makes no second order when Medusa made one but crowdcart never heard back", async () => {
    const code = codeIn(await say("fay", "/groupbuy KB-75 size=2"), "g");
    // The order is made and converted, then the answer is lost and every later look-up of this
    // delivery fails: crowdcart cannot record it as delivered, as if it had crashed there.
    fake.dropAnswerAfterCommit("POST /admin/draft-orders/:id/convert-to-order");
    fake.failNext("GET /admin/orders", { status: 503 }, 2, 1);
    await say("gus", `/join ${code}`);
    await service.engine.outbox.runOnce();
    expect(ordersOfGroup(code)).toHaveLength(1);
    const shipping = async () =>
      (await service.engine.outbox.list({ kind: "shipping" })).filter(
        (m) => JSON.parse(m.shipping?.body ?? "{}").groupCode === code,
      );
    expect((await shipping()).map((m) => [m.status, m.lastError])).toEqual([
      ["pending", expect.stringMatching(/^Medusa answered HTTP 503 while delivering order ord_/)],
    ]);

    await deliverAll();
    const [order, ...more] = ordersOfGroup(code);
    expect(more).toEqual([]);
    expect(order).toMatchObject({ status: "pending", metadata: { crowdcart_member: "playground:gus" } });
    const creates = fake.calls.filter(
      (c) =>
        c.method === "POST" &&
        c.path === "/admin/draft-orders" &&
        (c.body as { metadata?: Record<string, unknown> }).metadata?.crowdcart_group === code,
    );
    expect(creates).toHaveLength(1);
    expect((await shipping()).map((m) => m.status)).toEqual(["sent"]);
  });
});
