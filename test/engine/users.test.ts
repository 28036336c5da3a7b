import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import type { Connection } from "mongoose";
import { dropConnection, freshConnection } from "../support/db";
import { engineOn, errorCode, type Harness } from "./support/harness";

describe("users and their contact details", () => {
  let connection: Connection;
  let h: Harness;
  beforeAll(async () => {
    connection = await freshConnection("users");
    h = await engineOn(connection);
  });
  afterAll(async () => {
    await dropConnection(connection);
  });

  it("keeps one user per platform identity, keyed platform:id", async () => {
    const a = await h.engine.users.touch({ platform: "slack", id: "T1:U1", displayName: "Ann" });
    const b = await h.engine.users.touch({ platform: "slack", id: "T1:U1", displayName: "Ann B." });
    const c = await h.engine.users.touch({ platform: "discord", id: "123", displayName: "Ann" });
    expect([a._id, b._id, c._id]).toEqual(["slack:T1:U1", "slack:T1:U1", "discord:123"]);
    expect(b.displayName).toBe("Ann B.");
    expect(await connection.collection("users").countDocuments()).toBe(2);
  });

  it("gives a placeholder the name an adapter later finds, but keeps the name someone gave by writing", async () => {
    await h.engine.users.ensure({ platform: "discord", id: "556" });
    const named = await h.engine.users.ensure({
      platform: "discord",
      id: "556",
      displayName: "Yan",
      username: "yan",
    });
    expect(named).toMatchObject({ placeholder: true, displayName: "Yan", username: "yan" });
    await h.engine.users.touch({ platform: "discord", id: "556", displayName: "Yan Q." });
    expect(
      await h.engine.users.ensure({ platform: "discord", id: "556", displayName: "Old Yan" }),
    ).toMatchObject({
      displayName: "Yan Q.",
    });
  });

  it("creates a placeholder from a mention that fills in when the user first writes", async () => {
    const placeholder = await h.engine.users.ensure({ platform: "discord", id: "555" });
    expect(placeholder).toMatchObject({ _id: "discord:555", placeholder: true, displayName: "555" });
    const real = await h.engine.users.touch({
      platform: "discord",
      id: "555",
      displayName: "Zoe",
      username: "ZoeK",
    });
    expect(real).toMatchObject({ placeholder: false, displayName: "Zoe", username: "zoek" });
    // A later mention leaves the real user alone.
    expect(await h.engine.users.ensure({ platform: "discord", id: "555" })).toMatchObject({
      displayName: "Zoe",
    });
  });

  it("gives a placeholder the newest name a mention carries, until the person writes", async () => {
    await h.engine.users.ensure({ platform: "slack", id: "T1:U77" });
    expect(
      await h.engine.users.ensure({ platform: "slack", id: "T1:U77", displayName: "Dana" }),
    ).toMatchObject({
      displayName: "Dana",
      placeholder: true,
    });
    expect(await h.engine.users.get("slack:T1:U77")).toMatchObject({ displayName: "Dana" });
    await h.engine.users.touch({ platform: "slack", id: "T1:U77", displayName: "dana.w" });
    await h.engine.users.ensure({ platform: "slack", id: "T1:U77", displayName: "Someone else" });
    expect(await h.engine.users.get("slack:T1:U77")).toMatchObject({ displayName: "dana.w" });
  });

  it("resolves a @username to a user who wrote with it, case-insensitively", async () => {
    await h.engine.users.touch({ platform: "telegram", id: "1001", displayName: "Tom", username: "TomT" });
    expect((await h.engine.users.resolveByUsername("telegram", "@tomt"))?._id).toBe("telegram:1001");
    expect(await h.engine.users.resolveByUsername("telegram", "nobody")).toBeNull();
    expect(await h.engine.users.resolveByUsername("discord", "tomt")).toBeNull();
  });

  it("registers a shipping region and an email, and refuses malformed ones", async () => {
    const key = (await h.engine.users.touch({ platform: "playground", id: "alice" }))._id;
    expect(await h.engine.users.register(key, { region: "eu", email: "alice@example.com" })).toMatchObject({
      region: "EU",
      email: "alice@example.com",
    });
    expect(await errorCode(() => h.engine.users.register(key, { region: "E1" }))).toBe("INVALID_REGION");
    expect(await errorCode(() => h.engine.users.register(key, { email: "not-an-email" }))).toBe(
      "INVALID_EMAIL",
    );
    expect(await h.engine.users.get(key)).toMatchObject({ region: "EU", email: "alice@example.com" });
  });
});

describe("users served from memory to orders and invitations", () => {
  let connection: Connection;
  let here: Harness;
  let there: Harness;
  beforeAll(async () => {
    connection = await freshConnection("users_memory");
    here = await engineOn(connection);
    there = await engineOn(connection, { clock: here.clock });
  });
  afterAll(async () => {
    await dropConnection(connection);
  });

  const regionOfOrder = async (h: Harness, userKey: string) => {
    const { code } = await h.engine.groups.open("playground:org", "KB-75", { size: 2, max: 10 });
    return (await h.engine.groups.join(userKey, code)).order.region;
  };

  it("prices an order with a region changed here at once, and with one changed elsewhere within a minute", async () => {
    const me = { platform: "playground" as const, id: "roamer", displayName: "roamer" };
    await here.engine.users.touch(me);
    expect(await regionOfOrder(here, "playground:roamer")).toBeNull();
    await here.engine.users.register("playground:roamer", { region: "EU" });
    expect(await regionOfOrder(here, "playground:roamer")).toBe("EU");
    await there.engine.users.register("playground:roamer", { region: "US" });
    here.clock.advance(60_001);
    expect(await regionOfOrder(here, "playground:roamer")).toBe("US");
  });

  it("forgets a user whose DM failed, so the next invitation list says so", async () => {
    here.messenger.answer = (message) =>
      message.userId === "ghost" ? { ok: false, retryable: false, reason: "DMs closed" } : { ok: true };
    await here.engine.users.ensure({ platform: "playground", id: "ghost" });
    await here.engine.groups.open("playground:org", "KB-75", { members: ["playground:ghost"] });
    await here.engine.outbox.worker.runOnce();
    const again = await here.engine.groups.open("playground:org", "KB-75", { members: ["playground:ghost"] });
    expect(again.invites[0]?.dmUnreachable).toBeDefined();
  });
});
