import { afterAll, beforeAll, beforeEach, describe, expect, it } from "@jest/globals";
import { sampleCart } from "./support/fake-views";
import { startWebApp, type WebApp } from "./support/web-app";

let app: WebApp;
beforeAll(async () => {
  app = await startWebApp();
});
afterAll(async () => {
  await app.close();
});
beforeEach(() => {
  app.carts.outcomes.clear();
  app.carts.calls.length = 0;
  app.sleeps.length = 0;
});

const CODE = sampleCart().code;
const page = (code: string, accept = "text/html") =>
  fetch(`${app.base}/s/${code}`, { headers: { Accept: accept } });

describe("GET /s/:code", () => {
  it("shows the lines, quantities, totals, expiry time and a note on keeping the code private", async () => {
    app.carts.outcomes.set(CODE, { kind: "ok", cart: sampleCart() });
    const res = await page(CODE);
    const body = await res.text();
    expect(res.status).toBe(200);
    expect(body).toMatch(/<span class="name">75% keyboard kit<\/span> <span class="sku">KB-75<\/span>/);
    expect(body).toMatch(
      /<td class="num wide">2<\/td><td class="num wide">€45.00<\/td><td class="num">€90.00<\/td>/,
    );
    expect(body).toMatch(/<tr class="total"><th scope="row">Total<\/th>.*<td class="num">€219.00<\/td>/);
    expect(body).toContain(
      '<time datetime="2026-01-01T12:30:00.000Z">Thu, 1 Jan 2026, 12:30 UTC</time> (30 min 00 s left',
    );
    expect(body).toContain("Keep this code private");
    expect(body).toContain(CODE);
  });

  it("is never stored by any cache, never indexed and never sends its address as a referrer", async () => {
    app.carts.outcomes.set(CODE, { kind: "ok", cart: sampleCart() });
    const res = await page(CODE);
    expect(res.headers.get("cache-control")).toBe("private, no-store");
    expect(res.headers.get("x-robots-tag")).toBe("noindex");
    expect(res.headers.get("referrer-policy")).toBe("no-referrer");
    expect(res.headers.get("content-security-policy")).toContain("default-src 'none'");
  });

  it("passes the requester's address to the cart service as the sender", async () => {
    await page(CODE);
    expect(app.carts.calls).toEqual([{ code: CODE, sender: { ip: "127.0.0.1" } }]);
  });

  it("shows one total per currency for a mixed cart", async () => {
    const cart = sampleCart({
      lines: [
        { sku: "A", name: "A", qty: 1, unitPrice: 1000, lineTotal: 1000, currency: "EUR" },
        { sku: "B", name: "B", qty: 3, unitPrice: 500, lineTotal: 1500, currency: "JPY" },
      ],
      totals: [
        { currency: "EUR", amount: 1000 },
        { currency: "JPY", amount: 1500 },
      ],
    });
    app.carts.outcomes.set(CODE, { kind: "ok", cart });
    const body = await (await page(CODE)).text();
    expect(body).toContain("Total (EUR)");
    expect(body).toContain("Total (JPY)");
    expect(body).toContain("¥1,500");
  });

  it("says an empty cart is empty", async () => {
    app.carts.outcomes.set(CODE, { kind: "ok", cart: sampleCart({ lines: [], totals: [] }) });
    expect(await (await page(CODE)).text()).toContain("This cart is empty.");
  });

  it("treats a half-matching code as an improper access: waits, then warns on the same 404 as an unknown code", async () => {
    const warning = "Warning: that session code does not match its cart. This attempt was recorded.";
    app.carts.outcomes.set(CODE, { kind: "improper", message: warning, delayMs: 2000 });
    const res = await page(CODE);
    const body = await res.text();
    expect(app.sleeps).toEqual([2000]);
    expect(res.status).toBe(404);
    expect(res.headers.get("cache-control")).toBe("private, no-store");
    expect(body).toContain(`<p class="warn" role="alert">${warning}</p>`);
    expect(body).toContain("No cart with this code");
  });

  it("does not wait again when the cart service already held the reply back", async () => {
    app.carts.outcomes.set(CODE, { kind: "improper", message: "Warning.", delayMs: 0 });
    await page(CODE);
    expect(app.sleeps).toEqual([]);
  });

  it("answers an unknown code with 404, without saying whether its serial exists", async () => {
    const res = await page("20260101120000999999-AAAAAAAAAAAAAAAAAAAAAAAA");
    const body = await res.text();
    expect(res.status).toBe(404);
    expect(body).toContain("No cart with this code");
    expect(body).not.toMatch(/serial/i);
    expect(body).not.toContain('class="warn"');
  });

  it("answers an expired session with 410 and a checked-out one with 410", async () => {
    app.carts.outcomes.set(CODE, { kind: "expired", message: "That cart expired.", delayMs: 0 });
    const expired = await page(CODE);
    expect(expired.status).toBe(410);
    expect(await expired.text()).toContain("This cart has expired");
    app.carts.outcomes.set(CODE, { kind: "closed", message: "Checked out.", delayMs: 0 });
    const closed = await page(CODE);
    expect(closed.status).toBe(410);
    expect(await closed.text()).toContain("This cart was checked out");
  });

  it("answers a sender who missed too often with 429 and Retry-After", async () => {
    app.carts.outcomes.set(CODE, {
      kind: "rate_limited",
      message: "Too many codes; try again in 5 min.",
      delayMs: 0,
      retryAfterMs: 299_500,
    });
    const res = await page(CODE);
    expect(res.status).toBe(429);
    expect(res.headers.get("retry-after")).toBe("300");
    expect(await res.text()).toContain("Too many codes; try again in 5 min.");
  });

  it("answers a malformed code with 404 without asking the cart service", async () => {
    const res = await page("not%20a%20code");
    expect(res.status).toBe(404);
    expect(app.carts.calls).toHaveLength(0);
  });

  it("escapes product names", async () => {
    const evil = "<script>alert(1)</script>";
    app.carts.outcomes.set(CODE, {
      kind: "ok",
      cart: sampleCart({
        lines: [{ sku: "X", name: evil, qty: 1, unitPrice: 1, lineTotal: 1, currency: "EUR" }],
      }),
    });
    const body = await (await page(CODE)).text();
    expect(body).not.toContain(evil);
    expect(body).toContain("&lt;script&gt;alert(1)&lt;/script&gt;");
  });
});

describe("the cart page's JSON twin", () => {
  it("answers Accept: application/json with lines, totals and expiry, never cached", async () => {
    app.carts.outcomes.set(CODE, { kind: "ok", cart: sampleCart() });
    const res = await page(CODE, "application/json");
    expect(res.status).toBe(200);
    expect(res.headers.get("cache-control")).toBe("private, no-store");
    expect(await res.json()).toEqual({
      code: CODE,
      lines: sampleCart().lines,
      totals: [{ currency: "EUR", amount: 21900 }],
      expiresAt: "2026-01-01T12:30:00.000Z",
    });
  });

  it("answers refusals with their status and a machine-readable error", async () => {
    app.carts.outcomes.set(CODE, { kind: "improper", message: "Warning: recorded.", delayMs: 0 });
    const improper = await page(CODE, "application/json");
    expect(improper.status).toBe(404);
    expect(await improper.json()).toEqual({ error: "not_found", warning: "Warning: recorded." });
    app.carts.outcomes.set(CODE, { kind: "expired", message: "Expired.", delayMs: 0 });
    const expired = await page(CODE, "application/json");
    expect(expired.status).toBe(410);
    expect(await expired.json()).toEqual({ error: "expired" });
  });
});
