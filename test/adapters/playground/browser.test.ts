import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import type { Browser, Page } from "playwright-core";
import { createPlaygroundChannel } from "../../../adapters/playground/channel";
import { systemClock } from "../../../src/clock";
import type { Service } from "../../../src/service";
import { chromiumMissing, launchChromium } from "../../web/support/browser";
import { startPlaygroundService } from "../contract/playground-driver";

if (chromiumMissing) process.stdout.write(`skipping the playground browser test: ${chromiumMissing}\n`);

(chromiumMissing ? describe.skip : describe)("playground in a real browser", () => {
  let service: Service;
  let browser: Browser;
  let alice: Page;
  let bob: Page;
  let code = "";

  beforeAll(async () => {
    service = await startPlaygroundService();
    browser = await launchChromium();
    const url = `http://127.0.0.1:${service.port}/`;
    alice = await (await browser.newContext()).newPage();
    bob = await (await browser.newContext()).newPage();
    const errors: string[] = [];
    for (const page of [alice, bob]) page.on("console", (m) => m.type() === "error" && errors.push(m.text()));
    await alice.goto(url);
    await bob.goto(url);
    await bob.fill("#user", "bob");
    await bob.click("#who button");
    expect(errors).toEqual([]);
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await service?.stop();
  });

  async function type(page: Page, line: string): Promise<string> {
    const before = await page.locator("#transcript li.reply").count();
    await page.fill("#command", line);
    await page.press("#command", "Enter");
    const reply = page.locator("#transcript li.reply").nth(before);
    await reply.waitFor();
    return (await reply.textContent()) ?? "";
  }

  it("opens a group as alice, mentioning bob", async () => {
    const text = await type(alice, "/groupbuy KB-75 size=2 @bob");
    code = /Group code: ([0-9A-Z]+)/.exec(text)?.[1] ?? "";
    expect(code).toMatch(/^[0-9A-Z]{13}$/);
    const link = alice.locator(`#transcript a[href="${service.publicUrl}/g/${code}"]`).first();
    expect(await link.count()).toBe(1);
  });

  it("shows bob the invitation DM live, with a clickable personal link", async () => {
    const dm = bob.locator("#dms li.dm", { hasText: code });
    await dm.waitFor({ timeout: 15_000 });
    expect(await dm.textContent()).toContain("alice");
    const href = await dm.locator("a").first().getAttribute("href");
    expect(href).toContain(`/g/${code}?m=`);
  });

  it("lets bob join with the Join button of the DM", async () => {
    const before = await bob.locator("#transcript li.reply").count();
    await bob.locator("#dms li.dm", { hasText: code }).getByRole("button", { name: "Join" }).click();
    const reply = bob.locator("#transcript li.reply").nth(before);
    await reply.waitFor();
    expect(await reply.textContent()).toContain(`joined group ${code}`);
  });

  it("shows alice the updated status", async () => {
    const text = await type(alice, `/group ${code}`);
    expect(text).toContain("1 of 2 members");
    expect(text).toContain("bob");
  });

  it("shows a message the bot posts in the channel on every page, and its edit in place", async () => {
    const channel = createPlaygroundChannel(service.db.connection, systemClock);
    const id = await channel.post({
      id: "card-1",
      platform: "playground",
      channelId: "playground",
      text: "1 of 2",
    });
    for (const page of [alice, bob])
      await page.locator("#transcript li.post", { hasText: "1 of 2" }).waitFor();
    // The group opened above has its own status card in the channel too: the edit adds no post.
    const posts = await alice.locator("#transcript li.post").count();
    await channel.edit(id, { text: "2 of 2: complete" });
    for (const page of [alice, bob]) {
      await page.locator("#transcript li.post", { hasText: "2 of 2: complete" }).waitFor();
      expect(await page.locator("#transcript li.post").count()).toBe(posts);
    }
  });

  it("shows a mistake as one error line", async () => {
    const text = await type(alice, "/join");
    expect(text).toContain("Missing <groupCode>");
    expect(await alice.locator("#transcript li.error").count()).toBeGreaterThan(0);
  });
});
