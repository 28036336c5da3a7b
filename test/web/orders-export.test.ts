import { afterAll, beforeAll, beforeEach, describe, expect, it } from "@jest/globals";
import type { Engine } from "../../src/engine";
import { hashToken } from "../../src/engine/cart/session-code";
import { MISS_LIMIT } from "../../src/engine/guess-limit";
import type { Platform } from "../../src/kernel";
import { ORDERS_CSV_HEADER } from "../../src/web/orders-csv";
import { type EngineWebApp, startEngineWebApp } from "./support/engine-web-app";
import { parseCsv } from "./support/parse-csv";

/** `GET /g/<code>/orders.csv?k=<token>` over the real engine: the organiser's export. */
let world: EngineWebApp;
let engine: Engine;
beforeAll(async () => {
  world = await startEngineWebApp("export");
  engine = world.engine;
});
afterAll(async () => {
  await world?.close();
});
// Each test starts with the visitor's guess budget untouched.
beforeEach(async () => {
  await engine.core.guesses.model.deleteMany({});
});

async function person(name: string, platform: Platform = "playground", id = name): Promise<string> {
  return (await engine.users.touch({ platform, id, displayName: name }))._id;
}

/** The organiser's link, as their `/group` shows it. */
async function exportLink(code: string, organiser: string): Promise<URL> {
  const url = (await engine.groups.status(code, organiser)).exportUrl;
  if (!url) throw new Error("the organiser got no export link");
  return new URL(url);
}

/** The link's path and query, fetched from the test server. */
const get = (path: string) => fetch(`${world.app.base}${path}`);
const pathOf = (url: URL) => `${url.pathname}${url.search}`;
const misses = async () => (await engine.core.guesses.model.findById("web:127.0.0.1").lean())?.misses ?? 0;

describe("the organiser's export link", () => {
  it("is in the organiser's /group status only, the same each time, and its token is not stored", async () => {
    const [olga, bea] = [await person("olga"), await person("bea")];
    const { code } = await engine.groups.open(olga, "KB-75", { size: 2, max: 3 });
    const link = await exportLink(code, olga);
    expect(link.href).toMatch(
      new RegExp(`^${engine.core.ctx.publicUrl}/g/${code}/orders\\.csv\\?k=[A-Za-z0-9_-]{22,}$`),
    );
    expect((await exportLink(code, olga)).href).toBe(link.href);
    expect((await engine.groups.status(code, bea)).exportUrl).toBeUndefined();
    await engine.groups.join(bea, code);
    expect((await engine.groups.status(code, bea)).exportUrl).toBeUndefined();

    const token = link.searchParams.get("k") ?? "";
    const stored = await engine.core.ctx.models.Group.collection.findOne({ _id: code as never });
    expect(JSON.stringify(stored)).not.toContain(token);
    expect(stored?.exportToken?.hash).toBe(hashToken(token));
  });
});

describe("GET /g/:code/orders.csv", () => {
  it("answers one row per order, RFC 4180 and UTF-8, with hostile names kept exact but formula-safe", async () => {
    const olga = await person("olga2");
    const hostile = [
      '=HYPERLINK("http://evil.test","click")',
      "+SUM(1,2)",
      "-2+3",
      "@cmd",
      "\tTabbed",
      "\rReturned",
      'Bea "the boss", Ltd\nsecond line',
      "Zoë 🚀",
    ];
    const { code } = await engine.groups.open(olga, "KB-75", { size: 3, max: 10 });
    const keys: string[] = [];
    for (const [i, name] of hostile.entries()) {
      const key = await person(name, i % 2 === 0 ? "slack" : "telegram", `U${i}`);
      keys.push(key);
      world.clock.advance(1000);
      await engine.groups.join(key, code, i === 7 ? { sku: "KC-PBT", qty: 2 } : {});
    }
    await engine.users.register(keys[0] ?? "", { region: "EU", email: "first@example.test" });

    const response = await get(pathOf(await exportLink(code, olga)));
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("text/csv; charset=utf-8");
    expect(response.headers.get("content-disposition")).toBe(
      `attachment; filename="crowdcart-${code}-orders.csv"`,
    );
    expect(response.headers.get("cache-control")).toBe("private, no-store");
    const bytes = Buffer.from(await response.arrayBuffer());
    const text = bytes.toString("utf8");
    expect(bytes.includes(Buffer.from("Zoë 🚀", "utf8"))).toBe(true);
    // Quotes doubled and the line break kept inside the quoted field.
    expect(text).toContain('"Bea ""the boss"", Ltd\nsecond line"');

    const [header, ...rows] = parseCsv(text);
    expect(header).toEqual(ORDERS_CSV_HEADER);
    expect(rows.map((row) => row[1])).toEqual([
      '\'=HYPERLINK("http://evil.test","click")',
      "'+SUM(1,2)",
      "'-2+3",
      "'@cmd",
      "'\tTabbed",
      "'\rReturned",
      'Bea "the boss", Ltd\nsecond line',
      "Zoë 🚀",
    ]);
    // No cell of any row starts a formula.
    for (const row of rows) for (const cell of row) expect(cell).not.toMatch(/^[=+\-@\t\r]/);
    const orders = await engine.core.ctx.models.Order.find({ groupCode: code })
      .sort({ createdAt: 1, _id: 1 })
      .lean();
    expect(rows.map((row) => row[0])).toEqual(orders.map((o) => o._id));
    // The region is the order's (given after joining: none), the email the member's.
    expect(rows[0]?.slice(2)).toEqual([
      "Slack",
      "75% keyboard kit",
      "KB-75",
      "1",
      "129.00",
      "EUR",
      "20% (5+ members)",
      "",
      "",
      "first@example.test",
      "placed",
    ]);
    expect(rows[1]?.[2]).toBe("Telegram");
    expect(rows[7]?.slice(3, 8)).toEqual(["PBT keycap set", "KC-PBT", "2", "59.00", "EUR"]);
  });

  it("shows the points each order earned once the group completes, and cancelled orders once it fails", async () => {
    const olga = await person("olga3");
    const [ann, ben] = [await person("ann3"), await person("ben3")];
    await engine.users.register(ann, { region: "EU" });
    const done = await engine.groups.open(olga, "KB-75", { size: 2, max: 2 });
    const doneLink = await exportLink(done.code, olga);
    await engine.groups.join(ann, done.code);
    world.clock.advance(1000);
    await engine.groups.join(ben, done.code);
    const [, annRow, benRow] = parseCsv(await (await get(pathOf(doneLink))).text());
    // Two members reach no tier; the EU rebate is ann's points.
    expect([annRow?.[8], annRow?.[9], annRow?.[10], annRow?.[12]]).toEqual(["none", "300", "EU", "placed"]);
    expect([benRow?.[9], benRow?.[12]]).toEqual(["0", "placed"]);

    const failing = await engine.groups.open(olga, "KB-75", { size: 3, expiresInMs: 60 * 60_000 });
    await engine.groups.join(ann, failing.code);
    const failingLink = await exportLink(failing.code, olga);
    world.clock.advance(60 * 60_000 + 1);
    const [, cancelled] = parseCsv(await (await get(pathOf(failingLink))).text());
    expect([cancelled?.[8], cancelled?.[9], cancelled?.[12]]).toEqual(["none", "", "cancelled"]);
  });

  it("answers a wrong, missing or empty token exactly like an unknown code, and counts each as a miss", async () => {
    const olga = await person("olga4");
    const { code } = await engine.groups.open(olga, "KB-75", { size: 2 });
    const link = await exportLink(code, olga);
    const token = link.searchParams.get("k") ?? "";
    const neverLinked = await engine.groups.open(olga, "KB-75", { size: 2 });
    const wrongToken = `${token.slice(0, -1)}${token.endsWith("A") ? "B" : "A"}`;

    const attempts = [
      `/g/${code}/orders.csv?k=${wrongToken}`,
      `/g/${code}/orders.csv`,
      `/g/${code}/orders.csv?k=`,
      `/g/${code}/orders.csv?k=${token}&k=${token}`,
      `/g/${neverLinked.code}/orders.csv?k=${token}`,
      `/g/ZZZZZZZZZZZZZ/orders.csv?k=${token}`,
    ];
    const answers = [];
    for (const path of attempts) {
      const response = await get(path);
      const headers = Object.fromEntries([...response.headers].filter(([name]) => name !== "date"));
      answers.push({ status: response.status, headers, body: await response.text() });
    }
    for (const answer of answers) expect(answer).toEqual(answers[answers.length - 1]);
    expect(answers[0]?.status).toBe(404);
    // The same page as an unknown group's own address.
    expect(answers[0]?.body).toBe(await (await get("/g/ZZZZZZZZZZZZZ")).text());
    expect(await misses()).toBe(attempts.length + 1);

    // The right token still opens it.
    expect((await get(pathOf(link))).status).toBe(200);
  });

  it("locks a visitor out after too many wrong tokens, the right one included, until the window ends", async () => {
    const olga = await person("olga5");
    const { code } = await engine.groups.open(olga, "KB-75", { size: 2 });
    const link = await exportLink(code, olga);
    for (let i = 0; i < MISS_LIMIT.maxMisses; i++) {
      expect((await get(`/g/${code}/orders.csv?k=${"x".repeat(22)}${i}`)).status).toBe(404);
    }
    expect(await misses()).toBe(MISS_LIMIT.maxMisses);
    // Locked out: the right link is refused like any other, so a hit cannot be told from a miss.
    expect((await get(pathOf(link))).status).toBe(404);
    // And the group pages are shut to that visitor too: one budget.
    expect((await get(`/g/${code}`)).status).toBe(404);

    world.clock.advance(MISS_LIMIT.windowMs + 1);
    expect((await get(pathOf(link))).status).toBe(200);
  });
});
