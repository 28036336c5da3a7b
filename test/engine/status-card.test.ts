import { afterAll, beforeAll, beforeEach, describe, expect, it } from "@jest/globals";
import type { Connection } from "mongoose";
import type { GroupDoc } from "../../models";
import { membersBar } from "../../src/engine/groups/card";
import { dropConnection, freshConnection } from "../support/db";
import { engineOn, type Harness, HOUR, people } from "./support/harness";

const CHANNEL = { platform: "playground" as const, id: "lobby" };
const INTERVAL = 3_000;

describe("the live status card", () => {
  let connection: Connection;
  let h: Harness;
  let alice: string;
  let bob: string;
  let carol: string;

  beforeAll(async () => {
    connection = await freshConnection("card");
    h = await engineOn(connection, { outbox: { cardEditIntervalMs: INTERVAL } });
    [alice, bob, carol] = (await people(h.engine, "alice", "bob", "carol")) as [string, string, string];
  });
  afterAll(async () => {
    await dropConnection(connection);
  });
  beforeEach(() => {
    h.messenger.duringEdit = async () => {};
  });

  const groupDoc = (code: string) => connection.collection<GroupDoc>("groups").findOne({ _id: code });
  /** The card as the channel shows it now. */
  const shown = async (code: string) => {
    const ref = (await groupDoc(code))?.card?.ref;
    return ref ? h.messenger.posts.get(ref) : undefined;
  };
  const editsOf = async (code: string) => {
    const ref = (await groupDoc(code))?.card?.ref;
    return h.messenger.edits.filter((e) => e.ref === ref);
  };

  it("is posted in the channel /groupbuy came from: product, bar, tiers, deadline, a Join button", async () => {
    const { code } = await h.engine.groups.open(alice, "KB-75", { size: 3, max: 6, channel: CHANNEL });
    await h.engine.outbox.runOnce();
    const card = await shown(code);
    expect(card?.channelId).toBe("lobby");
    expect(card?.text).toContain("75% keyboard kit (KB-75)");
    expect(card?.text).toContain(`code ${code}`);
    expect(card?.text).toContain(`${membersBar(0, 3, 6)} 0/6`);
    expect(card?.text).toContain("0 joined, 3 needed (closes at 6), open until 2026-03-04 10:00 UTC.");
    expect(card?.text).toContain("No tier reached yet. Next: 10% off at 3 members (3 more).");
    expect(card?.buttons?.map((b) => b.command ?? b.url)).toEqual([
      `/join ${code}`,
      `https://shop.test/g/${code}`,
    ]);
  });

  it("is edited in place, not posted again, when someone joins (edits of one card spaced by the interval)", async () => {
    const { code } = await h.engine.groups.open(alice, "KB-75", { size: 3, max: 6, channel: CHANNEL });
    await h.engine.outbox.runOnce();
    const posts = h.messenger.posts.size;
    await h.engine.groups.join(bob, code);
    h.clock.advance(INTERVAL);
    await h.engine.outbox.runOnce();
    expect(h.messenger.posts.size).toBe(posts);
    expect((await editsOf(code)).map((e) => e.text)).toHaveLength(1);
    expect((await shown(code))?.text).toContain("1 joined, 3 needed");
  });

  it("follows a member who leaves and a deadline the organiser extends", async () => {
    const { code } = await h.engine.groups.open(alice, "KB-75", { size: 3, max: 6, channel: CHANNEL });
    await h.engine.groups.join(bob, code);
    await h.engine.outbox.runOnce();
    expect((await shown(code))?.text).toContain("1 joined, 3 needed");
    await h.engine.groups.leave(bob, code);
    h.clock.advance(INTERVAL);
    await h.engine.outbox.runOnce();
    expect((await shown(code))?.text).toContain("0 joined, 3 needed");
    await h.engine.groups.act(alice, code, { action: "extend", byMs: 24 * HOUR });
    h.clock.advance(INTERVAL);
    await h.engine.outbox.runOnce();
    expect((await shown(code))?.text).toContain("open until 2026-03-05");
  });

  it("a group opened without a channel (the page, a script) has no card", async () => {
    const { code } = await h.engine.groups.open(alice, "KB-75");
    await h.engine.groups.join(bob, code);
    expect((await groupDoc(code))?.card).toBeNull();
    const cards = await h.engine.outbox.list({ kind: "card" });
    expect(cards.some((c) => c.card?.groupCode === code)).toBe(false);
  });

  it("coalesces: changes made between two edits make one edit with the last state", async () => {
    const { code } = await h.engine.groups.open(alice, "KB-75", { size: 50, max: 50, channel: CHANNEL });
    await h.engine.outbox.runOnce();
    const joiners = await people(h.engine, ...Array.from({ length: 30 }, (_, i) => `burst${i}`));
    await Promise.all(joiners.map((key) => h.engine.groups.join(key, code)));
    h.clock.advance(INTERVAL);
    await h.engine.outbox.runOnce();
    const edits = await editsOf(code);
    expect(edits).toHaveLength(1);
    expect(edits[0]?.text).toContain("30 joined, 50 needed");
  });

  it("coalesces: changes while an edit is on its way make one more edit, one interval later, with the last state", async () => {
    const { code } = await h.engine.groups.open(alice, "KB-75", { size: 50, max: 50, channel: CHANNEL });
    await h.engine.outbox.runOnce();
    const joiners = await people(h.engine, ...Array.from({ length: 40 }, (_, i) => `wave${i}`));
    await h.engine.groups.join(joiners[0]!, code);
    h.clock.advance(INTERVAL);
    // The first edit shows 1 member; 39 more join while it is on its way.
    h.messenger.duringEdit = async () => {
      h.messenger.duringEdit = async () => {};
      await Promise.all(joiners.slice(1).map((key) => h.engine.groups.join(key, code)));
    };
    await h.engine.outbox.runOnce();
    expect((await editsOf(code)).map((e) => e.text.match(/(\d+) joined/)?.[1])).toEqual(["1"]);

    // Not before the interval: the platform's limits and the channel's patience both hold.
    h.clock.advance(INTERVAL - 1);
    await h.engine.outbox.runOnce();
    expect(await editsOf(code)).toHaveLength(1);
    h.clock.advance(1);
    await h.engine.outbox.runOnce();
    expect((await editsOf(code)).map((e) => e.text.match(/(\d+) joined/)?.[1])).toEqual(["1", "40"]);
    await h.engine.outbox.runOnce();
    expect(await editsOf(code)).toHaveLength(2);
  });

  it("a burst of 300 joins with the worker running throughout makes a handful of edits, the last showing the group full", async () => {
    const { code } = await h.engine.groups.open(alice, "KB-75", { size: 300, max: 300, channel: CHANNEL });
    await h.engine.outbox.runOnce();
    const joiners = await people(h.engine, ...Array.from({ length: 300 }, (_, i) => `crowd${i}`));
    // Ten waves of 30 joins, the worker passing between them with a second gone by each time.
    for (let wave = 0; wave < 10; wave++) {
      await Promise.all(
        joiners.slice(wave * 30, wave * 30 + 30).map((key) => h.engine.groups.join(key, code)),
      );
      await h.engine.outbox.runOnce();
      h.clock.advance(1_000);
    }
    h.clock.advance(INTERVAL);
    await h.engine.outbox.runOnce();
    const edits = await editsOf(code);
    expect(edits.length).toBeGreaterThanOrEqual(1);
    expect(edits.length).toBeLessThanOrEqual(10);
    expect(edits.at(-1)?.text).toContain("Complete with 300 members.");
    expect((await shown(code))?.buttons?.map((b) => b.label)).toEqual(["Open the group page"]);
  });

  it("shows completion: the tier reached, no Join button", async () => {
    const { code } = await h.engine.groups.open(alice, "KB-75", { size: 3, channel: CHANNEL });
    for (const key of [alice, bob, carol]) await h.engine.groups.join(key, code);
    await h.engine.outbox.runOnce();
    const card = await shown(code);
    expect(card?.text).toContain("Complete with 3 members.");
    expect(card?.text).toContain("Tier reached: 10% off.");
    expect(card?.text).not.toContain("/join");
    expect(card?.buttons?.map((b) => b.label)).toEqual(["Open the group page"]);
  });

  it("shows failure at the deadline, edited by the sweeper", async () => {
    const { code } = await h.engine.groups.open(alice, "KB-75", {
      size: 3,
      expiresInMs: HOUR,
      channel: CHANNEL,
    });
    await h.engine.groups.join(bob, code);
    await h.engine.outbox.runOnce();
    h.clock.advance(HOUR);
    await h.engine.groups.sweep();
    await h.engine.outbox.runOnce();
    expect((await shown(code))?.text).toContain("Closed with 1 joined, 3 needed: every order is cancelled.");
  });

  it("a card that can no longer be edited is recorded and the new state posted as a new message", async () => {
    const { code } = await h.engine.groups.open(alice, "KB-75", { size: 3, channel: CHANNEL });
    await h.engine.outbox.runOnce();
    const first = (await groupDoc(code))?.card?.ref as string;
    h.messenger.posts.delete(first); // deleted in the channel
    await h.engine.groups.join(bob, code);
    h.clock.advance(INTERVAL);
    await h.engine.outbox.runOnce();
    const card = (await groupDoc(code))?.card;
    expect(card?.lost).toEqual([expect.objectContaining({ ref: first, reason: "no such post" })]);
    expect(card?.ref).not.toBe(first);
    expect(h.messenger.posts.get(card?.ref as string)?.text).toContain("1 joined, 3 needed");
    // The new message is the card from now on: edited, not posted again.
    const posts = h.messenger.posts.size;
    await h.engine.groups.join(carol, code);
    h.clock.advance(INTERVAL);
    await h.engine.outbox.runOnce();
    expect(h.messenger.posts.size).toBe(posts);
    expect((await shown(code))?.text).toContain("2 joined, 3 needed");
  });

  it("a worker that dies holding the card: after its lease the card is posted once", async () => {
    const { code } = await h.engine.groups.open(alice, "KB-75", { size: 3, channel: CHANNEL });
    const claimed = await h.engine.outbox.worker.claim({ kind: "card", platform: "playground" });
    expect(claimed?.card?.groupCode).toBe(code);
    const posts = h.messenger.posts.size;
    await h.engine.outbox.runOnce();
    expect(h.messenger.posts.size).toBe(posts);
    h.clock.advance(60_000);
    await h.engine.outbox.runOnce();
    await h.engine.outbox.runOnce();
    expect(h.messenger.posts.size).toBe(posts + 1);
    expect((await shown(code))?.text).toContain("0 joined, 3 needed");
  });

  it("a retried /groupbuy (the same chat event) posts no second card", async () => {
    const options = { size: 3, channel: CHANNEL, eventKey: "playground:card-retry" };
    const first = await h.engine.groups.open(alice, "KB-75", options);
    const again = await h.engine.groups.open(alice, "KB-75", options);
    expect(again).toMatchObject({ code: first.code, replayed: true });
    const cards = await h.engine.outbox.list({ kind: "card" });
    expect(cards.filter((c) => c.card?.groupCode === first.code)).toHaveLength(1);
  });

  it("a pass that dies after a join committed, before its card was queued: the next pass queues it", async () => {
    const { code } = await h.engine.groups.open(alice, "KB-75", { size: 3, channel: CHANNEL });
    await h.engine.outbox.runOnce();
    let dies = true;
    h.engine.outbox.onGroupsJoined(async (codes) => {
      if (dies) {
        dies = false;
        throw new Error("killed before the card was queued");
      }
      await h.engine.groups.cards.joined(codes);
    });
    await h.engine.groups.join(bob, code);
    h.clock.advance(INTERVAL);
    await h.engine.outbox.runOnce();
    expect((await shown(code))?.text).toContain("0 joined, 3 needed");
    await h.engine.outbox.runOnce();
    expect((await shown(code))?.text).toContain("1 joined, 3 needed");
  });

  it("draws the bar against the cap with a mark at the target", () => {
    expect(membersBar(0, 2, 2)).toBe("░".repeat(20));
    expect(membersBar(2, 2, 2)).toBe("▓".repeat(20));
    expect(membersBar(3, 5, 10)).toBe(`${"▓".repeat(6)}${"░".repeat(4)}|${"░".repeat(10)}`);
  });
});
