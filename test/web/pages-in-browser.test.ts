import { join } from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "@jest/globals";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { ARTIFACTS, chromiumMissing, launchChromium } from "./support/browser";
import { sampleCart, sampleGroup } from "./support/fake-views";
import { startWebApp, type WebApp } from "./support/web-app";

/**
 * The pages in headless Chromium: layout at phone and desktop widths (screenshots in artifacts/),
 * live updates, the countdown, the copy button, the QR code, the cart page, and no request leaving
 * 127.0.0.1.
 */
/**
 * The few browser globals the functions run inside the page use: the project compiles without the
 * DOM lib, and the cast disappears when the function is serialised for the browser.
 */
interface InPage {
  document: {
    documentElement: { scrollWidth: number };
    activeElement: { id: string; className: string } | null;
    getElementById(id: string): { textContent: string | null } | null;
    querySelectorAll(selector: string): { length: number };
  };
  innerWidth: number;
  navigator: { clipboard: { readText(): Promise<string>; writeText(text: string): Promise<void> } };
}

if (chromiumMissing) console.warn(`browser tests skipped: ${chromiumMissing}`);
const describeInBrowser = chromiumMissing ? describe.skip : describe;

const CODE = "7KQ3M9XPT2VAB";
const CART = sampleCart().code;
const POLL_MS = 2000;

let app: WebApp;
let browser: Browser;
/** Every request any page made, and every host outside this server (must stay empty). */
const requested: string[] = [];
const external: string[] = [];
const problems: string[] = [];

beforeAll(async () => {
  if (chromiumMissing) return;
  app = await startWebApp({ pollMs: POLL_MS });
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
  await app?.close();
});
beforeEach(() => {
  if (chromiumMissing) return;
  app.groups.groups.clear();
  app.groups.calls.length = 0;
  app.clock.set(new Date());
});

async function openPage(width: number, height = 800): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({ viewport: { width, height }, deviceScaleFactor: 1 });
  await context.route("**/*", (route) => {
    const url = new URL(route.request().url());
    requested.push(url.href);
    if (url.hostname !== "127.0.0.1") {
      external.push(url.href);
      return route.abort();
    }
    return route.continue();
  });
  const page = await context.newPage();
  page.on("console", (message) => {
    if (message.type() === "error") problems.push(message.text());
  });
  page.on("pageerror", (error) => problems.push(error.message));
  page.on("dialog", (dialog) => {
    problems.push(`dialog opened: ${dialog.message()}`);
    void dialog.dismiss();
  });
  return { context, page };
}

function addGroup(overrides: Parameters<typeof sampleGroup>[0] = {}) {
  return app.groups.add(
    sampleGroup({ expiresAt: new Date(app.clock.now().getTime() + 5 * 3_600_000 + 125_000), ...overrides }),
  );
}

describeInBrowser("the group page in Chromium", () => {
  for (const width of [360, 1280]) {
    it(`fits a ${width}-px-wide screen without sideways scrolling (screenshot saved)`, async () => {
      addGroup();
      app.groups.tokens.set("tok-carla", { code: CODE, displayName: "Carla", joined: false });
      const { context, page } = await openPage(width);
      await page.goto(`${app.base}/g/${CODE}?m=tok-carla`);
      await page.waitForSelector("#copy-button:not([hidden])");
      await page.screenshot({ path: join(ARTIFACTS, `group-page-${width}.png`), fullPage: true });
      const overflow = await page.evaluate(
        () =>
          (globalThis as unknown as InPage).document.documentElement.scrollWidth -
          (globalThis as unknown as InPage).innerWidth,
      );
      expect(overflow).toBeLessThanOrEqual(0);
      await expect(page.locator("h1").textContent()).resolves.toBe("75% keyboard kit");
      await expect(page.locator(".greeting h2").textContent()).resolves.toBe("Hi Carla");
      // The join box is within the first two screens on a phone, beside the content on a desktop.
      const joinTop = await page.locator("#join").evaluate((el) => el.getBoundingClientRect().top);
      expect(joinTop).toBeLessThan(width < 900 ? 1600 : 200);
      await context.close();
    });
  }

  it("shows the QR code of the page's address, drawn inline", async () => {
    addGroup();
    const { context, page } = await openPage(360);
    await page.goto(`${app.base}/g/${CODE}`);
    const qr = page.locator("svg.qr");
    await expect(qr.getAttribute("aria-label")).resolves.toBe(`QR code of ${app.base}/g/${CODE}`);
    const box = await qr.boundingBox();
    expect(box?.width).toBeGreaterThanOrEqual(180);
    expect(box?.height).toBeGreaterThanOrEqual(180);
    await context.close();
  });

  it("updates the progress bar, members and the current tier live when someone joins", async () => {
    addGroup();
    const { context, page } = await openPage(1280);
    await page.goto(`${app.base}/g/${CODE}`);
    const fill = page.locator("#progress-fill");
    await expect(fill.getAttribute("width")).resolves.toBe("33.33");
    await expect(page.locator(".tier.current").getAttribute("data-members")).resolves.toBe("1");

    app.groups.join(CODE, "Dana", "telegram");
    await page.waitForFunction(
      () => (globalThis as unknown as InPage).document.getElementById("member-count")?.textContent === "3",
      undefined,
      {
        timeout: 15_000,
      },
    );
    await expect(fill.getAttribute("width")).resolves.toBe("50.00");
    await expect(page.locator(".tier.current").getAttribute("data-members")).resolves.toBe("3");
    await expect(page.locator(".tier.current").getAttribute("aria-current")).resolves.toBe("true");
    await expect(page.locator("#members .name").allTextContents()).resolves.toEqual(["Alice", "Bob", "Dana"]);
    await expect(page.locator("#deal").textContent()).resolves.toBe("10% back at 3 members: €116.10 each.");
    await expect(page.locator("#progress").getAttribute("aria-valuenow")).resolves.toBe("3");
    await expect(page.locator("#live-status").textContent()).resolves.toContain("Dana joined.");
    await page.screenshot({ path: join(ARTIFACTS, "group-page-after-join-1280.png"), fullPage: true });
    await context.close();
  });

  it("shows a group that fills up while open as completed, without the join box", async () => {
    addGroup({ cap: 3 });
    const { context, page } = await openPage(360);
    await page.goto(`${app.base}/g/${CODE}`);
    app.groups.join(CODE, "Dana");
    await page.waitForFunction(
      () =>
        (globalThis as unknown as InPage).document.getElementById("state-badge")?.textContent === "Completed",
      undefined,
      {
        timeout: 15_000,
      },
    );
    await expect(page.locator("#join").isHidden()).resolves.toBe(true);
    await expect(page.locator("#state-note").textContent()).resolves.toContain("This group is complete");
    await context.close();
  });

  it("asks for changes no more than once per poll interval, with a 304 while nothing changed", async () => {
    addGroup();
    const { context, page } = await openPage(360);
    const statuses: number[] = [];
    page.on("response", (res) => {
      if (res.request().headers().accept === "application/json") statuses.push(res.status());
    });
    await page.goto(`${app.base}/g/${CODE}`);
    const windowMs = 3 * POLL_MS + 500;
    await page.waitForTimeout(windowMs);
    const polls = app.groups.calls.filter((call) => !call.options.countAccess).length;
    expect(polls).toBeGreaterThanOrEqual(1);
    expect(polls).toBeLessThanOrEqual(Math.ceil(windowMs / POLL_MS));
    expect(statuses.slice(1).every((status) => status === 304)).toBe(true);
    await context.close();
  });

  it("counts down the time left every second", async () => {
    addGroup({ expiresAt: new Date(app.clock.now().getTime() + 10 * 60_000) });
    const { context, page } = await openPage(360);
    await page.goto(`${app.base}/g/${CODE}`);
    const countdown = page.locator("#countdown");
    const first = await countdown.textContent();
    expect(first).toMatch(/^(9|10) min \d\d s left$/);
    await page.waitForFunction(
      (before) =>
        (globalThis as unknown as InPage).document.getElementById("countdown")?.textContent !== before,
      first,
      {
        timeout: 5000,
      },
    );
    expect(await countdown.textContent()).toMatch(/^9 min \d\d s left$/);
    await context.close();
  });

  it("copies the exact /join command with the copy button, by mouse or keyboard", async () => {
    addGroup();
    const { context, page } = await openPage(360);
    await context.grantPermissions(["clipboard-read", "clipboard-write"], { origin: app.base });
    await page.goto(`${app.base}/g/${CODE}`);
    await page.click("#copy-button");
    await expect(
      page.evaluate(() => (globalThis as unknown as InPage).navigator.clipboard.readText()),
    ).resolves.toBe(`/join ${CODE}`);
    await expect(page.locator("#copy-status").textContent()).resolves.toContain("Copied");
    await page.evaluate(() => (globalThis as unknown as InPage).navigator.clipboard.writeText(""));
    await page.focus("#copy-button");
    await page.keyboard.press("Enter");
    await expect(
      page.evaluate(() => (globalThis as unknown as InPage).navigator.clipboard.readText()),
    ).resolves.toBe(`/join ${CODE}`);
    await context.close();
  });

  it("reaches the skip link first and the copy button by keyboard", async () => {
    addGroup();
    const { context, page } = await openPage(1280);
    await page.goto(`${app.base}/g/${CODE}`);
    await page.waitForSelector("#copy-button:not([hidden])");
    await page.keyboard.press("Tab");
    await expect(
      page.evaluate(() => (globalThis as unknown as InPage).document.activeElement?.className),
    ).resolves.toBe("skip");
    await page.keyboard.press("Tab");
    await expect(
      page.evaluate(() => (globalThis as unknown as InPage).document.activeElement?.id),
    ).resolves.toBe("copy-button");
    await context.close();
  });

  it("runs nothing from a product or display name made of HTML", async () => {
    const evil = "<img src=x onerror=alert(1)><script>alert(2)</script>";
    addGroup({
      product: { sku: "X", name: `Kit ${evil}`, price: 100, currency: "EUR" },
      members: [{ displayName: evil, platform: "discord" }],
      memberCount: 1,
    });
    const { context, page } = await openPage(360);
    await page.goto(`${app.base}/g/${CODE}`);
    await expect(page.locator("h1").textContent()).resolves.toBe(`Kit ${evil}`);
    app.groups.join(CODE, `${evil}2`);
    await page.waitForFunction(
      () => (globalThis as unknown as InPage).document.querySelectorAll("#members li").length === 2,
      undefined,
      {
        timeout: 15_000,
      },
    );
    await expect(page.locator("#members .name").last().textContent()).resolves.toBe(`${evil}2`);
    await expect(page.locator("#members img").count()).resolves.toBe(0);
    expect(problems.filter((p) => p.startsWith("dialog"))).toEqual([]);
    await context.close();
  });

  it("shows the 404 page for an unknown code", async () => {
    const { context, page } = await openPage(360);
    const res = await page.goto(`${app.base}/g/NOSUCHGROUP12`);
    expect(res?.status()).toBe(404);
    await expect(page.locator("h1").textContent()).resolves.toBe("No group with this code");
    await context.close();
  });
});

describeInBrowser("the cart page in Chromium", () => {
  for (const width of [360, 1280]) {
    it(`shows lines, totals and expiry at ${width} px (screenshot saved)`, async () => {
      app.carts.outcomes.set(CART, {
        kind: "ok",
        cart: sampleCart({ expiresAt: new Date(app.clock.now().getTime() + 29 * 60_000) }),
      });
      const { context, page } = await openPage(width);
      const res = await page.goto(`${app.base}/s/${CART}`);
      expect(res?.status()).toBe(200);
      await page.screenshot({ path: join(ARTIFACTS, `cart-page-${width}.png`), fullPage: true });
      const overflow = await page.evaluate(
        () =>
          (globalThis as unknown as InPage).document.documentElement.scrollWidth -
          (globalThis as unknown as InPage).innerWidth,
      );
      expect(overflow).toBeLessThanOrEqual(0);
      await expect(page.locator("tbody tr").count()).resolves.toBe(2);
      await expect(page.locator("tfoot .num").last().textContent()).resolves.toBe("€219.00");
      await expect(page.locator("#private-title").isVisible()).resolves.toBe(true);
      await context.close();
    });
  }
});

describeInBrowser("requests the pages make", () => {
  it("stay on 127.0.0.1, and no page breaks its Content-Security-Policy", () => {
    // Runs after the tests above in this file, which opened every page and state.
    expect(requested.some((url) => url.includes("/assets/style."))).toBe(true);
    expect(requested.some((url) => url.includes("/assets/group."))).toBe(true);
    expect(external).toEqual([]);
    expect(problems.filter((p) => /Content Security Policy|Refused to/i.test(p))).toEqual([]);
  });
});
