import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import type { Connection } from "mongoose";
import { dropConnection, freshConnection } from "../support/db";
import { engineOn, type Harness, PUBLIC_URL, people } from "./support/harness";

describe("group status and the organiser view", () => {
  let connection: Connection;
  let h: Harness;
  let org: string;
  let bob: string;
  let carol: string;
  let code: string;
  beforeAll(async () => {
    connection = await freshConnection("view");
    h = await engineOn(connection);
    [org, bob, carol] = (await people(h.engine, "org", "bob", "carol")) as [string, string, string];
    await h.engine.users.register(bob, { region: "EU", email: "bob@example.com" });
    const opened = await h.engine.groups.open(org, "KB-75", { size: 3, max: 5, members: [bob, carol] });
    code = opened.code;
    await h.engine.groups.join(bob, code, { qty: 2 });
    await h.engine.groups.join(org, code, { sku: "KC-PBT" });
  });
  afterAll(async () => {
    await dropConnection(connection);
  });

  it("shows anyone the product, tiers with the one reached, progress, deadline and members' names and platforms", async () => {
    const view = await h.engine.groups.view(code);
    expect(view).toMatchObject({
      code,
      url: `${PUBLIC_URL}/g/${code}`,
      state: "open",
      product: { sku: "KB-75", name: "75% keyboard kit", price: 12900, currency: "EUR" },
      memberCount: 2,
      target: 3,
      cap: 5,
      reachedTier: null,
      nextTier: { members: 3, percentOff: 10 },
      organiser: { displayName: "org", platform: "playground" },
    });
    expect(view.tiers.map((t) => t.reached)).toEqual([false, false]);
    expect(view.members.map((m) => [m.displayName, m.platform])).toEqual([
      ["bob", "playground"],
      ["org", "playground"],
    ]);
    expect(view.details).toBeUndefined();
    expect(view.viewer).toEqual({ isOrganiser: false, isMember: false, isInvited: false });
  });

  it("shows only the organiser each member's name, platform, region and order lines", async () => {
    expect((await h.engine.groups.status(code, bob)).details).toBeUndefined();
    const view = await h.engine.groups.status(code, org);
    expect(view.viewer.isOrganiser).toBe(true);
    const bobDetails = view.details?.members.find((m) => m.userKey === bob);
    expect(bobDetails).toMatchObject({
      displayName: "bob",
      platform: "playground",
      region: "EU",
      orders: [{ sku: "KB-75", qty: 2, total: 25800, currency: "EUR", status: "placed" }],
    });
    expect(view.details?.members.find((m) => m.userKey === org)?.orders[0]).toMatchObject({ sku: "KC-PBT" });
    expect(view.details?.invited.map((i) => [i.displayName, i.joined])).toEqual([
      ["bob", true],
      ["carol", false],
    ]);
  });

  it("shows a tagged member who cannot be DMed as such in the organiser's status", async () => {
    h.messenger.answer = (m) =>
      m.userId === "carol" ? { ok: false, retryable: false, reason: "DMs closed" } : { ok: true };
    try {
      await h.engine.outbox.runOnce();
    } finally {
      h.messenger.answer = () => ({ ok: true });
    }
    const view = await h.engine.groups.status(code, org);
    expect(view.details?.invited.find((i) => i.displayName === "carol")?.couldNotDm).toBe("DMs closed");
  });

  it("refuses an unknown code with a user error", async () => {
    await expect(h.engine.groups.view("0000000000000")).rejects.toMatchObject({ code: "UNKNOWN_GROUP" });
  });
});
