import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import type { Connection } from "mongoose";
import { memberDiscount, nextTier, reachedTier } from "../../src/engine/discount";
import { dropConnection, freshConnection } from "../support/db";
import { engineOn, type Harness, HOUR, people } from "./support/harness";

const TIERS = [
  { members: 3, percentOff: 10 },
  { members: 5, percentOff: 20 },
];

describe("tier and region arithmetic", () => {
  it("picks the highest tier reached at the final member count", () => {
    expect(reachedTier(TIERS, 2)).toBeUndefined();
    expect(reachedTier(TIERS, 3)).toEqual({ members: 3, percentOff: 10 });
    expect(reachedTier(TIERS, 4)).toEqual({ members: 3, percentOff: 10 });
    expect(reachedTier(TIERS, 9)).toEqual({ members: 5, percentOff: 20 });
    expect(nextTier(TIERS, 3)).toEqual({ members: 5, percentOff: 20 });
  });

  it("adds the region rebate of the member's shipping region to the tier percentage of their order", () => {
    expect(
      memberDiscount({
        tiers: TIERS,
        finalMembers: 5,
        orderTotal: 12900,
        region: "EU",
        regionRebates: { EU: 300 },
      }),
    ).toEqual({ tierPercentOff: 20, tierAmount: 2580, region: "EU", regionRebate: 300, total: 2880 });
    expect(
      memberDiscount({
        tiers: TIERS,
        finalMembers: 3,
        orderTotal: 12900,
        region: "US",
        regionRebates: { EU: 300 },
      }),
    ).toMatchObject({ tierAmount: 1290, regionRebate: 0, total: 1290 });
    expect(
      memberDiscount({
        tiers: TIERS,
        finalMembers: 2,
        orderTotal: 12900,
        region: "EU",
        regionRebates: { EU: 300 },
      }),
    ).toMatchObject({ tierAmount: 0, regionRebate: 300, total: 300 });
  });

  it("rounds a fractional discount down to whole minor units", () => {
    expect(
      memberDiscount({
        tiers: [{ members: 2, percentOff: 15 }],
        finalMembers: 2,
        orderTotal: 999,
        region: null,
        regionRebates: {},
      }).tierAmount,
    ).toBe(149);
  });
});

describe("points credited when a group completes", () => {
  let connection: Connection;
  let h: Harness;
  let keys: string[];
  beforeAll(async () => {
    connection = await freshConnection("points");
    h = await engineOn(connection);
    keys = await people(h.engine, "ann", "ben", "cat", "dan", "eve");
    await h.engine.users.register(keys[0] ?? "", { region: "EU" });
    await h.engine.users.register(keys[1] ?? "", { region: "UK" });
  });
  afterAll(async () => {
    await dropConnection(connection);
  });

  it("credits each member the tier at the final count (all products count) plus their region rebate, with a DM", async () => {
    const [ann, ben, cat] = keys as [string, string, string];
    const { code } = await h.engine.groups.open(ann, "KB-75", { size: 3, max: 3 });
    await h.engine.groups.join(ann, code); // KB-75, EU: 10% of 12900 + 300
    await h.engine.groups.join(ben, code, { sku: "KC-PBT" }); // KC-PBT, UK: 10% of 5900 + 100 (KC-PBT's UK rebate)
    await h.engine.groups.join(cat, code, { qty: 2 }); // no region: 10% of 25800
    await h.engine.outbox.runOnce();

    expect(await h.engine.points.statement(ann)).toMatchObject({ balance: 1590 });
    expect(await h.engine.points.balance(ben)).toBe(690);
    expect(await h.engine.points.balance(cat)).toBe(2580);
    const annDm = h.messenger.to("ann").at(-1)?.text ?? "";
    expect(annDm).toContain(`Group ${code}`);
    expect(annDm).toContain("You get 1590 points back (10% tier: €12.90 + EU rebate: €3.00)");
    expect(annDm).toContain("Your points balance: 1590");
  });

  it("keeps an append-only history whose sum is the balance shown in the next DM", async () => {
    const [ann, , , dan, eve] = keys as [string, string, string, string, string];
    h.clock.advance(60_000);
    const { code } = await h.engine.groups.open(dan, "KC-PBT", { size: 2, max: 2 });
    await h.engine.groups.join(ann, code);
    await h.engine.groups.join(eve, code);
    await h.engine.outbox.runOnce();

    const statement = await h.engine.points.statement(ann);
    // 1590 from the first group; 5% of 5900 = 295 + EU rebate 200 from this one.
    expect(statement.history.map((e) => e.amount)).toEqual([1590, 495]);
    expect(statement.balance).toBe(2085);
    expect(statement.history[1]).toMatchObject({
      groupCode: code,
      reason: "group-discount",
      detail: { tierPercentOff: 5, tierAmount: 295, region: "EU", regionRebate: 200 },
    });
    expect(h.messenger.to("ann").at(-1)?.text).toContain("Your points balance: 2085");
  });

  it("credits a group that completes at its deadline, and only once however often it is swept", async () => {
    const [ann, ben] = keys as [string, string];
    const before = await h.engine.points.balance(ben);
    const { code } = await h.engine.groups.open(ann, "MAT-XL", { size: 2, max: 4, expiresInMs: HOUR });
    await h.engine.groups.join(ben, code);
    await h.engine.groups.join(ann, code);
    h.clock.advance(HOUR);
    await Promise.all([h.engine.groups.sweep(), h.engine.groups.sweep()]);
    await h.engine.groups.sweep();
    // MAT-XL's only tier needs 4 members; ben (UK) has no MAT-XL rebate: nothing to credit, but he is told.
    expect(await h.engine.points.balance(ben)).toBe(before);
    expect(await connection.collection("points_ledger").countDocuments({ groupCode: code })).toBe(1); // ann's EU rebate
    await h.engine.outbox.runOnce();
    expect(h.messenger.to("ben").at(-1)?.text).toContain("No tier was reached");
  });
});
