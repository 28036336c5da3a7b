import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import type { Connection } from "mongoose";
import { REMINDER_INTERVAL_MS } from "../../src/engine/groups";
import { dropConnection, freshConnection } from "../support/db";
import { engineOn, type Harness, HOUR, people } from "./support/harness";

function tokenOf(link: string | undefined): string {
  return new URL(link ?? "http://x/").searchParams.get("m") ?? "";
}

describe("reminders when someone looks at a group", () => {
  let connection: Connection;
  let h: Harness;
  let org: string;
  let bob: string;
  let carol: string;
  let dave: string;
  beforeAll(async () => {
    connection = await freshConnection("remind");
    h = await engineOn(connection);
    [org, bob, carol, dave] = (await people(h.engine, "org", "bob", "carol", "dave")) as [
      string,
      string,
      string,
      string,
    ];
  });
  afterAll(async () => {
    await dropConnection(connection);
  });

  async function openWithThree() {
    const opened = await h.engine.groups.open(org, "KB-75", { size: 3, members: [bob, carol, dave] });
    await h.engine.outbox.runOnce();
    h.messenger.clear();
    return opened;
  }

  it("a tagged member opening their personal link reminds every tagged member who has not joined", async () => {
    const opened = await openWithThree();
    await h.engine.groups.join(dave, opened.code);
    const bobLink = opened.invites.find((i) => i.userKey === bob)?.link;
    const view = await h.engine.groups.view(opened.code, { memberToken: tokenOf(bobLink) });
    expect(view.remindersSent).toBe(2);
    expect(view.me).toMatchObject({ displayName: "bob", joined: false });
    await h.engine.outbox.runOnce();
    expect(h.messenger.sent.map((m) => m.userId).sort()).toEqual(["bob", "carol"]);
    const reminder = h.messenger.to("carol")[0];
    expect(reminder?.text).toContain("Reminder");
    expect(reminder?.text).toContain(opened.invites.find((i) => i.userKey === carol)?.link ?? "missing");
    expect(reminder?.buttons).toContainEqual({ label: "Join", command: `/join ${opened.code}` });
  });

  it("asking for the status as a tagged member who has not joined reminds too, at most once per member per 12 h", async () => {
    const opened = await openWithThree();
    expect((await h.engine.groups.status(opened.code, carol)).remindersSent).toBe(3);
    expect((await h.engine.groups.status(opened.code, carol)).remindersSent).toBe(0);
    h.clock.advance(REMINDER_INTERVAL_MS - 1);
    expect((await h.engine.groups.view(opened.code, { viewerKey: bob })).remindersSent).toBe(0);
    h.clock.advance(1);
    expect((await h.engine.groups.view(opened.code, { viewerKey: bob })).remindersSent).toBe(3);
    await h.engine.outbox.runOnce();
    expect(h.messenger.to("bob")).toHaveLength(2);
    expect(h.messenger.to("carol")).toHaveLength(2);
    expect(h.messenger.to("dave")).toHaveLength(2);
  });

  it("simultaneous accesses remind each member once", async () => {
    const opened = await openWithThree();
    const views = await Promise.all(
      Array.from({ length: 6 }, () => h.engine.groups.view(opened.code, { viewerKey: bob })),
    );
    expect(views.reduce((sum, v) => sum + v.remindersSent, 0)).toBe(3);
  });

  it("never reminds a member who joined, and nobody is reminded by the organiser, a joined member or a stranger", async () => {
    const opened = await openWithThree();
    await h.engine.groups.join(bob, opened.code);
    expect((await h.engine.groups.status(opened.code, org)).remindersSent).toBe(0);
    expect((await h.engine.groups.status(opened.code, bob)).remindersSent).toBe(0);
    expect((await h.engine.groups.view(opened.code)).remindersSent).toBe(0);
    expect(
      (await h.engine.groups.view(opened.code, { memberToken: "forged-token-forged-token" })).remindersSent,
    ).toBe(0);
    expect((await h.engine.groups.status(opened.code, dave)).remindersSent).toBe(2);
    await h.engine.outbox.runOnce();
    expect(h.messenger.to("bob")).toHaveLength(0);
  });

  it("sends no reminders once the group is closed", async () => {
    const opened = await h.engine.groups.open(org, "KB-75", {
      size: 2,
      members: [bob, carol],
      expiresInMs: HOUR,
    });
    h.clock.advance(HOUR);
    await h.engine.groups.sweep();
    expect((await h.engine.groups.status(opened.code, carol)).remindersSent).toBe(0);
  });
});
