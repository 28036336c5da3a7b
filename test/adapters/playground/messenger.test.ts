import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import type { Connection } from "mongoose";
import { createPlaygroundChannel } from "../../../adapters/playground/channel";
import { createPlaygroundInbox } from "../../../adapters/playground/inbox";
import { createPlaygroundMessenger } from "../../../adapters/playground/messenger";
import { ManualClock } from "../../../src/clock";
import { dropConnection, freshConnection } from "../../support/db";

let connection: Connection;
beforeAll(async () => {
  connection = await freshConnection("pg_inbox");
});
afterAll(async () => {
  await dropConnection(connection);
});

describe("playground messenger", () => {
  it("delivers a DM to the user's inbox once, even when the outbox sends it twice", async () => {
    const clock = new ManualClock();
    const inbox = createPlaygroundInbox(connection, clock);
    const messenger = createPlaygroundMessenger(inbox, createPlaygroundChannel(connection, clock));
    const dm = {
      id: "dm:1",
      platform: "playground" as const,
      userId: "bob",
      text: "hi",
      buttons: [{ label: "Join", command: "/join X" }],
    };
    expect(await messenger.send(dm)).toEqual({ ok: true });
    expect(await messenger.send(dm)).toEqual({ ok: true });
    const list = await inbox.list("bob");
    expect(list).toHaveLength(1);
    expect(list[0]).toMatchObject({
      id: "dm:1",
      text: "hi",
      buttons: [{ label: "Join", command: "/join X" }],
    });
  });

  it("lists only the user's own DMs, oldest first, from a given time on", async () => {
    const clock = new ManualClock("2026-05-01T10:00:00Z");
    const inbox = createPlaygroundInbox(connection, clock);
    await inbox.deliver({ id: "a", platform: "playground", userId: "cleo", text: "first" });
    clock.advance(1000);
    await inbox.deliver({ id: "b", platform: "playground", userId: "cleo", text: "second" });
    await inbox.deliver({ id: "c", platform: "playground", userId: "dan", text: "not cleo's" });
    expect((await inbox.list("cleo")).map((m) => m.text)).toEqual(["first", "second"]);
    expect((await inbox.list("cleo", new Date("2026-05-01T10:00:01Z"))).map((m) => m.text)).toEqual([
      "second",
    ]);
  });
});
