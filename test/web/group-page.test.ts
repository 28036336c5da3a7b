import { afterAll, beforeAll, beforeEach, describe, expect, it } from "@jest/globals";
import { UnavailableError } from "../../src/engine/errors";
import { sampleGroup } from "./support/fake-views";
import { startWebApp, type WebApp } from "./support/web-app";

let app: WebApp;
beforeAll(async () => {
  app = await startWebApp();
});
afterAll(async () => {
  await app.close();
});
beforeEach(() => {
  app.groups.groups.clear();
  app.groups.calls.length = 0;
  app.clock.set("2026-01-01T12:00:00Z");
});

const page = (path: string, headers: Record<string, string> = {}) =>
  fetch(`${app.base}${path}`, { headers: { Accept: "text/html,*/*;q=0.8", ...headers } });

describe("GET /g/:code (an open group)", () => {
  it("shows the product, its price and currency, the tiers with the reached one highlighted", async () => {
    app.groups.add(
      sampleGroup({
        memberCount: 3,
        members: [...sampleGroup().members, { displayName: "Cem", platform: "telegram" }],
      }),
    );
    const res = await page("/g/7KQ3M9XPT2VAB");
    const body = await res.text();
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^text\/html/);
    expect(body).toContain("75% keyboard kit");
    expect(body).toContain("€129.00");
    const current =
      body.match(/<li class="tier current[^"]*" data-members="(\d+)" aria-current="true">/g) ?? [];
    expect(current).toHaveLength(1);
    expect(current[0]).toContain('data-members="3"');
    expect(body).toContain("€116.10");
  });

  it("shows progress against target and cap, the time left and the deadline", async () => {
    app.groups.add(sampleGroup());
    const body = await (await page("/g/7KQ3M9XPT2VAB")).text();
    expect(body).toMatch(/role="progressbar"[^>]*aria-valuemax="6" aria-valuenow="2"/);
    expect(body).toContain('aria-valuetext="2 of 6 places taken; target 3"');
    expect(body).toContain('id="progress-fill" x="0" y="0" width="33.33"');
    expect(body).toContain("1 more member needed to reach the target.");
    // 2026-01-01 12:00 → 2026-01-03 12:00
    expect(body).toMatch(
      /<time id="countdown" role="timer" datetime="2026-01-03T12:00:00.000Z">2 d 0 h left<\/time>/,
    );
    expect(body).toContain("Sat, 3 Jan 2026, 12:00 UTC");
  });

  it("lists members by display name and platform only", async () => {
    app.groups.add(sampleGroup());
    const body = await (await page("/g/7KQ3M9XPT2VAB")).text();
    expect(body).toMatch(/<span class="name">Alice<\/span><span class="platform">Discord<\/span>/);
    expect(body).toMatch(/<span class="name">Bob<\/span><span class="platform">Slack<\/span>/);
  });

  it("shows the exact /join command with a copy button, per-platform help and a QR code of the page URL", async () => {
    app.groups.add(sampleGroup());
    const body = await (await page("/g/7KQ3M9XPT2VAB")).text();
    expect(body).toContain('<code id="join-command">/join 7KQ3M9XPT2VAB</code>');
    expect(body).toContain('data-copy="/join 7KQ3M9XPT2VAB"');
    for (const platform of ["Discord", "Slack", "Telegram", "Web chat"])
      expect(body).toContain(`<dt>${platform}</dt>`);
    // Slack keeps /join for itself: the page names Slack's own command.
    expect(body).toMatch(/<dt>Slack<\/dt><dd>[^<]*<code>\/joingroup 7KQ3M9XPT2VAB<\/code>/);
    expect(body).toMatch(
      /<svg class="qr" role="img" aria-label="QR code of http:\/\/127\.0\.0\.1:\d+\/g\/7KQ3M9XPT2VAB"/,
    );
    expect(body).toContain(`href="${app.base}/g/7KQ3M9XPT2VAB"`);
  });

  it("is marked no-cache (it changes when someone joins) and carries a strict CSP with no inline code", async () => {
    app.groups.add(sampleGroup());
    const res = await page("/g/7KQ3M9XPT2VAB");
    const body = await res.text();
    expect(res.headers.get("cache-control")).toBe("no-cache");
    expect(res.headers.get("vary")).toMatch(/Accept/);
    const csp = res.headers.get("content-security-policy") ?? "";
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("style-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).not.toContain("unsafe-inline");
    expect(res.headers.get("referrer-policy")).toBe("no-referrer");
    expect(res.headers.get("x-content-type-options")).toBe("nosniff");
    expect(body).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
    expect(body).not.toMatch(/<style/);
    expect(body).not.toMatch(/\sstyle=/);
    expect(body).not.toMatch(/\son[a-z]+=/);
    // No address outside this server (the SVG namespace is a name, never fetched).
    expect(body).not.toMatch(/https?:\/\/(?!127\.0\.0\.1[:/]|www\.w3\.org\/2000\/svg")/);
  });

  it("has landmarks, a skip link and a language", async () => {
    app.groups.add(sampleGroup());
    const body = await (await page("/g/7KQ3M9XPT2VAB")).text();
    expect(body).toContain('<html lang="en">');
    expect(body).toContain('<main id="main"');
    expect(body).toContain('role="banner"');
    expect(body).toContain('role="contentinfo"');
    expect(body).toContain('href="#main"');
    expect(body).toContain('<meta name="viewport" content="width=device-width, initial-scale=1">');
  });

  it("serves every asset it references, cacheable for a year", async () => {
    app.groups.add(sampleGroup());
    const body = await (await page("/g/7KQ3M9XPT2VAB")).text();
    const urls = [...body.matchAll(/(?:href|src)="(\/assets\/[^"]+)"/g)].map((m) => m[1]!);
    expect(new Set(urls).size).toBe(3);
    for (const url of new Set(urls)) {
      const res = await fetch(`${app.base}${url}`);
      expect(res.status).toBe(200);
      expect(res.headers.get("cache-control")).toBe("public, max-age=31536000, immutable");
      expect(res.headers.get("content-type")).toMatch(/^(text\/css|text\/javascript|image\/svg\+xml)/);
    }
    expect((await fetch(`${app.base}/assets/style.nothash.css`)).status).toBe(404);
  });
});

describe("GET /g/:code?m=<member token>", () => {
  it("greets the member, shows their state and counts as their access", async () => {
    app.groups.add(sampleGroup());
    app.groups.tokens.set("tok-carla-0000000000", {
      code: "7KQ3M9XPT2VAB",
      displayName: "Carla",
      joined: false,
    });
    const res = await page("/g/7KQ3M9XPT2VAB?m=tok-carla-0000000000");
    const body = await res.text();
    expect(body).toContain('Hi <span class="name">Carla</span>');
    expect(body).toContain("have not joined yet");
    expect(res.headers.get("cache-control")).toBe("private, no-store");
    expect(app.groups.calls).toEqual([
      {
        code: "7KQ3M9XPT2VAB",
        options: { memberToken: "tok-carla-0000000000", countAccess: true, sender: { ip: "127.0.0.1" } },
      },
    ]);
    expect(body).not.toContain("tok-carla");
  });

  it("tells a member who joined that they are in", async () => {
    app.groups.add(sampleGroup());
    app.groups.tokens.set("tok-alice", { code: "7KQ3M9XPT2VAB", displayName: "Alice", joined: true });
    const body = await (await page("/g/7KQ3M9XPT2VAB?m=tok-alice")).text();
    expect(body).toContain("You are in, with 1 × 75% keyboard kit.");
  });

  it("tells a member whom crowdcart could not DM how to fix it", async () => {
    app.groups.add(sampleGroup());
    app.groups.tokens.set("tok-tg", {
      code: "7KQ3M9XPT2VAB",
      displayName: "Tina",
      joined: false,
      unreachable: true,
    });
    const body = await (await page("/g/7KQ3M9XPT2VAB?m=tok-tg")).text();
    expect(body).toContain("We could not send you a direct message. Start a chat with the crowdcart bot");
  });

  it("shows the plain page for a token that belongs to nobody", async () => {
    app.groups.add(sampleGroup());
    const res = await page("/g/7KQ3M9XPT2VAB?m=nobody");
    expect(res.status).toBe(200);
    expect(await res.text()).not.toContain("Hi ");
  });

  it("does not count the JSON twin (the page's own polling) as an access", async () => {
    app.groups.add(sampleGroup());
    await page("/g/7KQ3M9XPT2VAB?m=tok", { Accept: "application/json" });
    expect(app.groups.calls[0]?.options.countAccess).toBe(false);
  });
});

describe("GET /g/:code in every state", () => {
  it("says plainly that a completed group went ahead, without the join box", async () => {
    app.groups.add(sampleGroup({ state: "completed", memberCount: 6 }));
    const body = await (await page("/g/7KQ3M9XPT2VAB")).text();
    expect(body).toContain(">Completed</span>");
    expect(body).toContain("This group is complete: it went ahead with 6 members.");
    expect(body).not.toContain('id="join"');
    expect(body).not.toContain('id="countdown"');
  });

  it("says plainly that a failed group did not go ahead and orders were cancelled", async () => {
    app.groups.add(sampleGroup({ state: "failed" }));
    const body = await (await page("/g/7KQ3M9XPT2VAB")).text();
    expect(body).toContain(">Did not go ahead</span>");
    expect(body).toContain("Every order was cancelled.");
    expect(body).not.toContain('id="join"');
  });

  it("says an open group past its deadline has expired", async () => {
    app.groups.add(sampleGroup());
    app.clock.set("2026-01-03T12:00:01Z");
    const body = await (await page("/g/7KQ3M9XPT2VAB")).text();
    expect(body).toContain(">Expired</span>");
    expect(body).toContain("Time is up: this group closed at Sat, 3 Jan 2026, 12:00 UTC.");
    expect(body).not.toContain('id="join"');
  });

  it("answers an unknown code with a 404 page that is not cached", async () => {
    const res = await page("/g/NOSUCHGROUP12");
    expect(res.status).toBe(404);
    expect(res.headers.get("cache-control")).toBe("no-store");
    expect(await res.text()).toContain("No group with this code");
  });

  it("answers 503 with a retry hint, not a stack, while the database is unreachable", async () => {
    app.groups.failure = new UnavailableError(new Error("connection refused"));
    try {
      const res = await page("/g/7KQ3M9XPT2VAB");
      expect(res.status).toBe(503);
      expect(res.headers.get("retry-after")).toBe("30");
      const body = await res.text();
      expect(body).toContain("Back in a minute");
      expect(body).not.toContain("connection refused");
    } finally {
      app.groups.failure = undefined;
    }
  });

  it("answers a code that cannot be one with a 404 without asking the engine", async () => {
    const res = await page(`/g/${encodeURIComponent("<script>")}`);
    expect(res.status).toBe(404);
    expect(await res.text()).not.toContain("<script>");
    expect(app.groups.calls).toHaveLength(0);
  });
});

describe("GET /g/:code of a full group and of the group opened for its waitlist", () => {
  it("shows how many wait and links each group to the other", async () => {
    app.groups.add(sampleGroup({ state: "completed", memberCount: 6, waiting: 2, sibling: "4ZZZZZZZZZZZZ" }));
    app.groups.add(sampleGroup({ code: "4ZZZZZZZZZZZZ", memberCount: 3, origin: "7KQ3M9XPT2VAB" }));
    const full = await (await page("/g/7KQ3M9XPT2VAB")).text();
    expect(full).toContain("2 waiting for a place: when 3 wait, a new group opens for them.");
    expect(full).toContain("<code>/join 7KQ3M9XPT2VAB</code> to be added");
    expect(full).toContain(
      `Latecomers went to group <a href="${app.base}/g/4ZZZZZZZZZZZZ">4ZZZZZZZZZZZZ</a>.`,
    );
    const sibling = await (await page("/g/4ZZZZZZZZZZZZ")).text();
    expect(sibling).toContain(
      `Opened for the waitlist of group <a href="${app.base}/g/7KQ3M9XPT2VAB">7KQ3M9XPT2VAB</a>.`,
    );
    expect(sibling).not.toContain('id="waitlist"');
  });

  it("shows neither for a group with no waitlist and no relatives", async () => {
    app.groups.add(sampleGroup());
    expect(await (await page("/g/7KQ3M9XPT2VAB")).text()).not.toContain('id="family"');
  });
});

describe("escaping on the group page", () => {
  const evil = "<script>alert(1)</script>";

  it("never lets a product name or display name become markup", async () => {
    app.groups.add(
      sampleGroup({
        product: { sku: "X-1", name: `Kit ${evil}`, price: 1000, currency: "EUR" },
        organiser: { displayName: `Org"><img src=x onerror=alert(2)>`, platform: "slack" },
        members: [{ displayName: evil, platform: "telegram" }],
        memberCount: 1,
      }),
    );
    app.groups.tokens.set("tok-evil", { code: "7KQ3M9XPT2VAB", displayName: `Eve ${evil}`, joined: false });
    const body = await (await page("/g/7KQ3M9XPT2VAB?m=tok-evil")).text();
    expect(body).not.toContain(evil);
    expect(body).not.toContain("<img src=x");
    expect(body).toContain("Kit &lt;script&gt;alert(1)&lt;/script&gt;");
    expect(body).toContain('<span class="name">&lt;script&gt;alert(1)&lt;/script&gt;</span>');
    expect(body).toContain("Org&quot;&gt;&lt;img src=x onerror=alert(2)&gt;");
    expect(body).toContain('Hi <span class="name">Eve &lt;script&gt;');
    expect(body.match(/<script/g)).toHaveLength(1); // the page's own script tag only
  });
});

describe("the group page's JSON twin", () => {
  it("answers Accept: application/json with the group as data", async () => {
    app.groups.add(
      sampleGroup({
        memberCount: 3,
        members: [...sampleGroup().members, { displayName: "Cem", platform: "telegram" }],
      }),
    );
    const res = await page("/g/7KQ3M9XPT2VAB", { Accept: "application/json" });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^application\/json/);
    expect(res.headers.get("cache-control")).toBe("no-cache");
    const json = (await res.json()) as Record<string, unknown>;
    expect(json).toMatchObject({
      code: "7KQ3M9XPT2VAB",
      url: `${app.base}/g/7KQ3M9XPT2VAB`,
      state: "open",
      product: { sku: "KB-75", name: "75% keyboard kit", price: 12900, currency: "EUR" },
      memberCount: 3,
      target: 3,
      cap: 6,
      expiresAt: "2026-01-03T12:00:00.000Z",
      percentOff: 10,
      priceNow: 11610,
      members: [
        { displayName: "Alice", platform: "discord" },
        { displayName: "Bob", platform: "slack" },
        { displayName: "Cem", platform: "telegram" },
      ],
    });
    expect(json.tiers).toEqual([
      { members: 3, percentOff: 10, price: 11610, reached: true, current: true },
      { members: 5, percentOff: 20, price: 10320, reached: false, current: false },
    ]);
  });

  it("answers 304 without a body while nothing changed, and the new state after a join", async () => {
    app.groups.add(sampleGroup());
    const first = await page("/g/7KQ3M9XPT2VAB", { Accept: "application/json" });
    const etag = first.headers.get("etag");
    expect(etag).toMatch(/^"[A-Za-z0-9_-]+"$/);
    const again = await page("/g/7KQ3M9XPT2VAB", { Accept: "application/json", "If-None-Match": etag! });
    expect(again.status).toBe(304);
    expect(await again.text()).toBe("");
    app.groups.join("7KQ3M9XPT2VAB", "Cem");
    const changed = await page("/g/7KQ3M9XPT2VAB", { Accept: "application/json", "If-None-Match": etag! });
    expect(changed.status).toBe(200);
    expect(changed.headers.get("etag")).not.toBe(etag);
    expect(((await changed.json()) as { memberCount: number }).memberCount).toBe(3);
  });

  it("answers an unknown code with a JSON 404", async () => {
    const res = await page("/g/NOSUCHGROUP12", { Accept: "application/json" });
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({ error: "not_found" });
  });
});
