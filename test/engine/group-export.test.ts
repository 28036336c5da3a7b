import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import type { Connection } from "mongoose";
import { ManualClock } from "../../src/clock";
import { dropConnection, freshConnection } from "../support/db";
import { errorCode, people, testEngine } from "./support/harness";

/** The organiser's export link in the engine: one token per group, kept sealed, checked by hash. */
describe("a group's export link", () => {
  let connection: Connection;
  beforeAll(async () => {
    connection = await freshConnection("export");
  });
  afterAll(async () => {
    await dropConnection(connection);
  });

  const clock = new ManualClock("2026-03-02T10:00:00Z");
  const session = (codeSecret: string) => ({
    ttlMs: 30 * 60_000,
    maxBadAttempts: 3,
    badAttemptDelayMs: 0,
    codeSecret,
  });
  const tokenOf = (url: string | undefined) => new URL(url ?? "http://none").searchParams.get("k") ?? "";

  it("is made once, whoever of many concurrent /group asks first", async () => {
    const engine = await testEngine(connection, { clock, session: session("a".repeat(32)) });
    const [olga] = (await people(engine, "olga")) as [string];
    const { code } = await engine.groups.open(olga, "KB-75", { size: 2 });
    const links = await Promise.all(Array.from({ length: 10 }, () => engine.groups.status(code, olga)));
    expect(new Set(links.map((view) => view.exportUrl)).size).toBe(1);
    await expect(
      engine.groups.exportOrders(code, tokenOf(links[0]?.exportUrl), "web:x"),
    ).resolves.toMatchObject({
      code,
      orders: [],
    });
  });

  it("is replaced when SESSION_CODE_SECRET changes: the old link stops opening", async () => {
    const before = await testEngine(connection, { clock, session: session("b".repeat(32)) });
    const [olga] = (await people(before, "olga2")) as [string];
    const { code } = await before.groups.open(olga, "KB-75", { size: 2 });
    const oldToken = tokenOf((await before.groups.status(code, olga)).exportUrl);

    const after = await testEngine(connection, { clock, session: session("c".repeat(32)) });
    const newToken = tokenOf((await after.groups.status(code, olga)).exportUrl);
    expect(newToken).not.toBe(oldToken);
    expect(await errorCode(() => after.groups.exportOrders(code, oldToken, "web:y"))).toBe("UNKNOWN_GROUP");
    await expect(after.groups.exportOrders(code, newToken, "web:y")).resolves.toMatchObject({ code });
  });
});
