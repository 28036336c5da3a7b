import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { loadConfig } from "../../src/config";
import { silentLogger } from "../../src/logger";
import { type Service, startService } from "../../src/service";
import { freshDatabaseUri } from "../support/db";

/** The pages as `npm start` serves them: the links in chat replies open them. */
let service: Service;
let base = "";

beforeAll(async () => {
  // A workspace with colliding names: the page must name the prefixed Slack command.
  const config = loadConfig(
    { NODE_ENV: "test", LOG_LEVEL: "silent", PORT: "0", SLACK_COMMAND_PREFIX: "cc-" },
    "/nonexistent/.env",
  );
  service = await startService(config, silentLogger, { mongodbUri: freshDatabaseUri("webservice") });
  base = `http://127.0.0.1:${service.port}`;
});
afterAll(async () => {
  await service?.stop();
});

async function say(user: string, text: string): Promise<string> {
  const res = await fetch(`${base}/playground/commands`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ user, text }),
  });
  return ((await res.json()) as { text: string }).text;
}

/** The path of the first link to `kind` (`g` or `s`) in a reply. */
function linkPath(reply: string, kind: "g" | "s"): string {
  const match = reply.match(new RegExp(`https?://[^\\s/]+(/${kind}/[A-Za-z0-9_-]+)`));
  if (!match?.[1]) throw new Error(`no /${kind}/ link in: ${reply}`);
  return match[1];
}

describe("the pages in the running service", () => {
  it("opens the group page linked from /groupbuy, and it follows a /join", async () => {
    const path = linkPath(await say("olivia", "/groupbuy KB-75 size=2 max=4"), "g");
    const page = await fetch(`${base}${path}`);
    expect(page.status).toBe(200);
    const body = await page.text();
    expect(body).toContain("75% keyboard kit");
    expect(page.headers.get("content-security-policy")).toContain("default-src 'none'");
    const code = path.split("/")[2] ?? "";
    // Slack's join command as this workspace publishes it: prefixed, and never Slack's own /join.
    expect(body).toMatch(new RegExp(`<dt>Slack</dt><dd>[^<]*<code>/cc-joingroup ${code}</code>`));

    await say("pat", `/join ${code}`);
    const json = (await (
      await fetch(`${base}${path}`, { headers: { Accept: "application/json" } })
    ).json()) as {
      memberCount: number;
      members: { displayName: string; platform: string }[];
    };
    expect(json.memberCount).toBe(1);
    expect(json.members).toEqual([{ displayName: "pat", platform: "playground" }]);
  });

  it("opens the cart page linked from /cart", async () => {
    const path = linkPath(await say("sam", "/cart add KC-PBT qty=2"), "s");
    const page = await fetch(`${base}${path}`);
    expect(page.status).toBe(200);
    expect(page.headers.get("cache-control")).toBe("private, no-store");
    expect(await page.text()).toContain("PBT keycap set");
  });

  it("still serves the playground at / and the assets of the pages", async () => {
    expect((await fetch(`${base}/`)).status).toBe(200);
    const page = await (await fetch(`${base}/g/7KQ3M9XW2HBPD`)).text();
    const css = page.match(/href="(\/assets\/style\.[^"]+)"/)?.[1] ?? "";
    expect((await fetch(`${base}${css}`)).status).toBe(200);
  });
});

describe("the webhooks of what is not switched on", () => {
  it("refuses a Stripe event without PAYMENTS=stripe, and a Shopify delivery without STOREFRONT=shopify, as unsigned ones", async () => {
    const stripe = await fetch(`${base}/stripe/webhook`, {
      method: "POST",
      headers: { "Content-Type": "application/json", "Stripe-Signature": "t=1,v1=00" },
      body: JSON.stringify({ id: "evt_1", type: "checkout.session.completed" }),
    });
    expect(stripe.status).toBe(400);
    expect(await stripe.text()).toContain("PAYMENTS=stripe");
    const shopify = await fetch(`${base}/shopify/webhook`, {
      method: "POST",
      headers: { "Content-Type": "application/json", "X-Shopify-Topic": "products/update" },
      body: JSON.stringify({ id: 1 }),
    });
    expect(shopify.status).toBe(401);
    expect(await shopify.text()).toContain("STOREFRONT=shopify");
  });
});
