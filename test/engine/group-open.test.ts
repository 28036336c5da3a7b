import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import type { Connection } from "mongoose";
import { GROUP_CODE_LENGTH, normalizeGroupCode } from "../../src/engine/groups";
import { dropConnection, freshConnection } from "../support/db";
import { engineOn, errorCode, type Harness, HOUR, PUBLIC_URL, people } from "./support/harness";

describe("opening a group", () => {
  let connection: Connection;
  let h: Harness;
  let alice: string;
  let bob: string;
  let carol: string;
  beforeAll(async () => {
    connection = await freshConnection("open");
    h = await engineOn(connection);
    [alice, bob, carol] = (await people(h.engine, "alice", "bob", "carol")) as [string, string, string];
  });
  afterAll(async () => {
    await dropConnection(connection);
  });

  it("issues a 13-character Crockford code with no look-alike letters and its own page", async () => {
    const codes = new Set<string>();
    for (let i = 0; i < 20; i++) {
      const opened = await h.engine.groups.open(alice, "KB-75");
      expect(opened.code).toMatch(new RegExp(`^[0-9ABCDEFGHJKMNPQRSTVWXYZ]{${GROUP_CODE_LENGTH}}$`));
      expect(opened.url).toBe(`${PUBLIC_URL}/g/${opened.code}`);
      codes.add(opened.code);
    }
    expect(codes.size).toBe(20);
    // 13 symbols of 32 = 65 bits, above the 60 the issue asks for.
    expect(GROUP_CODE_LENGTH * Math.log2(32)).toBeGreaterThanOrEqual(60);
  });

  it("defaults to size 2, max = size and the configured GROUP_TTL", async () => {
    const opened = await h.engine.groups.open(alice, "kb-75");
    expect(opened).toMatchObject({ sku: "KB-75", size: 2, max: 2 });
    expect(opened.expiresAt.getTime() - h.clock.now().getTime()).toBe(48 * HOUR);
    const sized = await h.engine.groups.open(alice, "KB-75", { size: 3, expiresInMs: 2 * HOUR });
    expect(sized).toMatchObject({ size: 3, max: 3 });
    expect(sized.expiresAt.getTime() - h.clock.now().getTime()).toBe(2 * HOUR);
  });

  it("DMs every tagged member the product, organiser, tiers, code, personal link and a Join button", async () => {
    h.messenger.clear();
    const opened = await h.engine.groups.open(alice, "KB-75", { size: 2, max: 5, members: [bob, carol] });
    await h.engine.outbox.runOnce();
    expect(h.messenger.sent).toHaveLength(2);
    for (const [key, id] of [
      [bob, "bob"],
      [carol, "carol"],
    ] as const) {
      const dm = h.messenger.to(id)[0];
      const invite = opened.invites.find((i) => i.userKey === key);
      expect(invite?.link).toMatch(new RegExp(`^${PUBLIC_URL}/g/${opened.code}\\?m=[A-Za-z0-9_-]{22}$`));
      expect(dm?.text).toContain("75% keyboard kit");
      expect(dm?.text).toContain("alice");
      expect(dm?.text).toContain("3+ members: 10% off, 5+ members: 20% off");
      expect(dm?.text).toContain(opened.code);
      expect(dm?.text).toContain(invite?.link ?? "missing link");
      expect(dm?.buttons).toContainEqual({ label: "Join", command: `/join ${opened.code}` });
    }
    // Each member has their own token.
    expect(new Set(opened.invites.map((i) => i.link)).size).toBe(2);
  });

  it("does not make the organiser a member until they join", async () => {
    const opened = await h.engine.groups.open(alice, "KB-75", { members: [bob] });
    const view = await h.engine.groups.view(opened.code);
    expect(view.memberCount).toBe(0);
    expect(view.members).toEqual([]);
  });

  it("refuses bad sizes, caps, lifetimes and unknown products with clear codes", async () => {
    expect(await errorCode(() => h.engine.groups.open(alice, "KB-75", { size: 1 }))).toBe("INVALID_SIZE");
    expect(await errorCode(() => h.engine.groups.open(alice, "KB-75", { size: 3, max: 2 }))).toBe(
      "INVALID_MAX",
    );
    expect(await errorCode(() => h.engine.groups.open(alice, "KB-75", { expiresInMs: 1000 }))).toBe(
      "INVALID_EXPIRY",
    );
    expect(await errorCode(() => h.engine.groups.open(alice, "NOPE"))).toBe("UNKNOWN_PRODUCT");
  });

  it("reads a typed code back despite case, dashes and look-alike letters", () => {
    expect(normalizeGroupCode("7kq3-m9xw-2hbpd")).toBe("7KQ3M9XW2HBPD");
    expect(normalizeGroupCode("7KQ3M9XW2HBPo")).toBe("7KQ3M9XW2HBP0");
    expect(normalizeGroupCode("IL00000000000")).toBe("1100000000000");
    expect(normalizeGroupCode("7KQ3")).toBeUndefined();
    expect(normalizeGroupCode("7KQ3M9XW2HBPU")).toBeUndefined();
  });
});
