import { afterAll, beforeAll, describe, expect, it, jest } from "@jest/globals";
import type { Connection } from "mongoose";
import { MENTION_SYNTAX } from "../../adapters";
import { COMMANDS } from "../../commands";
import type { CommandDefinition } from "../../src/chat/command";
import type { Invocation } from "../../src/chat/invocation";
import { createProcessedEvents } from "../../src/chat/processed-events";
import { type ChatRouter, createRouter } from "../../src/chat/router";
import { createSeenChannels } from "../../src/chat/seen-channels";
import { UnavailableError } from "../../src/engine/errors";
import { silentLogger } from "../../src/logger";
import { engineOn, type Harness, PUBLIC_URL } from "../engine/support/harness";
import { dropConnection, freshConnection } from "../support/db";

let connection: Connection;
let h: Harness;
let router: ChatRouter;
let calls = 0;

const exploding: CommandDefinition = {
  name: "explode",
  description: "test only: fails like a bug",
  visibility: "channel",
  async run() {
    calls++;
    throw new Error("secret internal detail");
  },
};
const unavailable: CommandDefinition = {
  name: "down",
  description: "test only: the database is down",
  visibility: "channel",
  async run() {
    throw new UnavailableError();
  },
};

let seq = 0;
function invocation(user: string, line: string, eventId = `e${++seq}`): Invocation {
  const [command, ...rest] = line.replace(/^\//, "").split(" ");
  return {
    platform: "playground",
    command: command!,
    args: { text: rest.join(" ") },
    user: { platform: "playground", id: user, displayName: user },
    channel: { id: "room-1", kind: "group" },
    eventId,
    raw: null,
  };
}

beforeAll(async () => {
  connection = await freshConnection("router");
  h = await engineOn(connection);
  router = createRouter({
    engine: h.engine,
    commands: [...COMMANDS, exploding, unavailable],
    events: createProcessedEvents(connection, h.clock),
    channels: createSeenChannels(connection, h.clock),
    clock: h.clock,
    log: silentLogger,
    publicUrl: PUBLIC_URL,
    mentions: MENTION_SYNTAX,
  });
});
afterAll(async () => {
  await dropConnection(connection);
});

describe("router", () => {
  it("records the caller and the channel on first sight", async () => {
    await router.handle(invocation("dora", "/catalog"));
    await h.engine.users.written();
    const dora = await h.engine.users.get("playground:dora");
    expect(dora?.placeholder).toBe(false);
    expect(
      await connection.collection("chat_channels").countDocuments({ _id: "playground:room-1" as never }),
    ).toBe(1);
  });

  it("answers even when the caller's record could not be written; their next command writes it", async () => {
    const touch = jest.spyOn(h.engine.users, "touch").mockRejectedValueOnce(new UnavailableError());
    try {
      expect((await router.handle(invocation("eve", "/help"))).errorCode).toBeUndefined();
      await h.engine.users.written();
      expect(await h.engine.users.get("playground:eve")).toBeNull();
      await router.handle(invocation("eve", "/help"));
      await h.engine.users.written();
      expect(await h.engine.users.get("playground:eve")).toMatchObject({ placeholder: false });
      await router.handle(invocation("eve", "/help"));
      expect(touch).toHaveBeenCalledTimes(2);
    } finally {
      touch.mockRestore();
    }
  });

  it("a newcomer's first /groupbuy in a channel invites people in the newcomer's name", async () => {
    // Their record is slow to be written: the command still reads it only once it is there.
    const touch = h.engine.users.touch;
    const slowTouch = jest.spyOn(h.engine.users, "touch").mockImplementationOnce(async (identity) => {
      await new Promise((resolve) => setTimeout(resolve, 200));
      return touch(identity);
    });
    try {
      const fay = invocation("u-fay", "/groupbuy KB-75 @ana");
      fay.user = { ...fay.user, displayName: "Fay Wong" };
      expect((await router.handle(fay)).errorCode).toBeUndefined();
      const toAna = (await h.engine.outbox.list({ status: "pending" })).filter((m) => m.dm?.userId === "ana");
      expect(toAna.at(-1)?.dm?.text).toContain("Fay Wong");
    } finally {
      slowTouch.mockRestore();
    }
  });

  it("records a mentioned person as a placeholder so DMs can reach them later", async () => {
    const reply = await router.handle(invocation("ana", "/groupbuy KB-75 @NewFriend"));
    expect(reply.errorCode).toBeUndefined();
    const friend = await h.engine.users.get("playground:newfriend");
    expect(friend?.placeholder).toBe(true);
  });

  it("answers a repeated eventId with the first reply and never runs the command twice", async () => {
    const groups = connection.collection("groups");
    const before = await groups.countDocuments();
    const first = await router.handle(invocation("ana", "/groupbuy KB-75 @bob", "retry-1"));
    const again = await router.handle(invocation("ana", "/groupbuy KB-75 @bob", "retry-1"));
    expect(again.text).toBe(first.text);
    expect(again.replayed).toBe(true);
    expect(first.replayed).toBeUndefined();
    expect((await groups.countDocuments()) - before).toBe(1);
    const code = /Group code: (\w+)/.exec(first.text)?.[1];
    const toBob = await connection.collection("outbox").find({ "dm.userKey": "playground:bob" }).toArray();
    expect(toBob.filter((m) => String(m.dm?.text).includes(String(code)))).toHaveLength(1);
  });

  it("runs a command once when the same event arrives twice at the same moment", async () => {
    const groups = connection.collection("groups");
    const before = await groups.countDocuments();
    const replies = await Promise.all(
      [1, 2, 3].map(() => router.handle(invocation("ana", "/groupbuy MAT-XL @bob", "race-1"))),
    );
    expect((await groups.countDocuments()) - before).toBe(1);
    expect(replies.filter((r) => !r.replayed)).toHaveLength(1);
  });

  it("turns a user error into one private line with its code and usage", async () => {
    const reply = await router.handle(invocation("ana", "/groupbuy size=3"));
    expect(reply).toMatchObject({ visibility: "private", errorCode: "MISSING_ARGUMENT" });
    expect(reply.text).not.toContain("\n");
    expect(reply.text).toContain("Usage: /groupbuy");
  });

  it("passes the engine's own user errors through", async () => {
    const reply = await router.handle(invocation("ana", "/join ZZZZZZZZZZZZZ"));
    expect(reply.errorCode).toBe("UNKNOWN_GROUP");
  });

  it("answers an unknown command with a pointer to /help", async () => {
    const reply = await router.handle(invocation("ana", "/dance"));
    expect(reply).toMatchObject({ errorCode: "UNKNOWN_COMMAND", visibility: "private" });
    expect(reply.text).toContain("/help");
  });

  it("hides a bug behind one generic line and lets a retry run again", async () => {
    const before = calls;
    const reply = await router.handle(invocation("ana", "/explode", "bug-1"));
    expect(reply.errorCode).toBe("INTERNAL_ERROR");
    expect(reply.text).not.toContain("secret");
    await router.handle(invocation("ana", "/explode", "bug-1"));
    expect(calls - before).toBe(2);
  });

  it("says 'temporarily unavailable' when the database is down", async () => {
    const reply = await router.handle(invocation("ana", "/down"));
    expect(reply.errorCode).toBe("TEMPORARILY_UNAVAILABLE");
    expect(reply.text).toMatch(/temporarily unavailable/);
  });

  it("takes over a claim whose process died once its lease expires", async () => {
    const events = createProcessedEvents(connection, h.clock);
    expect(await events.claim("playground:crashed-1")).toEqual({ state: "new" });
    const meanwhile = await router.handle(invocation("ana", "/register region=EU", "crashed-1"));
    expect(meanwhile.replayed).toBe(true);
    h.clock.advance(61_000);
    const later = await router.handle(invocation("ana", "/register region=EU", "crashed-1"));
    expect(later.replayed).toBeUndefined();
    expect(later.text).toContain("Saved: region EU");
  });

  describe("a retry after a crash between a command's effect and its recorded reply", () => {
    // The crash: the effect committed, the reply record never did. Deleting the record leaves
    // the database exactly so (a taken-over lease behaves the same way).
    const crashAfterEffect = (eventId: string) =>
      connection.collection("processed_events").deleteOne({ _id: `playground:${eventId}` as never });

    it("does not open a second group or DM the tagged members twice", async () => {
      const groups = connection.collection("groups");
      const before = await groups.countDocuments();
      const first = await router.handle(invocation("ana", "/groupbuy SW-LIN @gil", "crash-open"));
      await crashAfterEffect("crash-open");
      const retry = await router.handle(invocation("ana", "/groupbuy SW-LIN @gil", "crash-open"));
      // The group carries its event: the retry finds it and answers with it, as a replay.
      expect(retry.replayed).toBe(true);
      expect((await groups.countDocuments()) - before).toBe(1);
      const code = /Group code: (\w+)/.exec(first.text)?.[1];
      expect(retry.text).toContain(`Group code: ${code}`);
      const toGil = await connection.collection("outbox").find({ "dm.userKey": "playground:gil" }).toArray();
      expect(toGil).toHaveLength(1);
    });

    it("does not add the item to the cart twice, while a new event adds again", async () => {
      await router.handle(invocation("cleo", "/cart add KB-75 qty=2", "crash-add"));
      await crashAfterEffect("crash-add");
      const retry = await router.handle(invocation("cleo", "/cart add KB-75 qty=2", "crash-add"));
      expect(retry.errorCode).toBeUndefined();
      const qty = async () => {
        const cart = await h.engine.carts.show({ platform: "playground", id: "cleo", displayName: "cleo" });
        return cart.lines.find((line) => line.sku === "KB-75")?.qty;
      };
      expect(await qty()).toBe(2);
      await router.handle(invocation("cleo", "/cart add KB-75", "another-add"));
      expect(await qty()).toBe(3);
    });

    it("does not remove twice", async () => {
      await router.handle(invocation("cleo", "/cart add MAT-XL qty=5"));
      await router.handle(invocation("cleo", "/cart remove MAT-XL qty=2", "crash-remove"));
      await crashAfterEffect("crash-remove");
      await router.handle(invocation("cleo", "/cart remove MAT-XL qty=2", "crash-remove"));
      const cart = await h.engine.carts.show({ platform: "playground", id: "cleo", displayName: "cleo" });
      expect(cart.lines.find((line) => line.sku === "MAT-XL")?.qty).toBe(3);
    });
  });
  it("uses the adapter's mention resolver before its own", async () => {
    const reply = await router.handle(
      {
        ...invocation("tg1", "/groupbuy KB-75 @some_friend"),
        platform: "telegram",
        user: { platform: "telegram", id: "1001", displayName: "tg1" },
      },
      { resolveMention: async (ref) => ({ platform: "telegram", id: "2002", username: ref.username ?? "" }) },
    );
    expect(reply.errorCode).toBeUndefined();
    expect(await h.engine.users.get("telegram:2002")).not.toBeNull();
  });

  it("names the group a reply opened or shows as a field, and no other reply", async () => {
    const opened = await router.handle(invocation("gina", "/groupbuy KB-75"));
    const code = /Group code: ([0-9A-Z]{13})/.exec(opened.text)?.[1] ?? "";
    const group = { code, url: `${PUBLIC_URL}/g/${code}` };
    expect(opened.group).toEqual(group);
    expect((await router.handle(invocation("hugo", `/group ${code}`))).group).toEqual(group);
    const joined = await router.handle(invocation("hugo", `/join ${code}`));
    expect(joined.text).toContain(group.url);
    expect(joined.group).toBeUndefined();
    expect((await router.handle(invocation("hugo", "/group NOPE"))).group).toBeUndefined();
  });

  it("lists, as typed, the mentions the platform says it cannot message yet", async () => {
    const reply = await router.handle(invocation("gina", "/groupbuy KB-75 @ivan @Jane_x @kim"), {
      canReach: (id) => id === "ivan",
    });
    expect(reply.errorCode).toBeUndefined();
    expect(reply.unreachable).toEqual(["@Jane_x", "@kim"]);
    const everyone = await router.handle(invocation("gina", "/groupbuy KB-75 @ivan"), {
      canReach: () => true,
    });
    expect(everyone.unreachable).toBeUndefined();
    const unasked = await router.handle(invocation("gina", "/groupbuy KB-75 @ivan"));
    expect(unasked.unreachable).toBeUndefined();
  });

  it("refuses a Telegram @username nobody has seen, saying how to fix it", async () => {
    const reply = await router.handle({
      ...invocation("tg1", "/groupbuy KB-75 @stranger_x"),
      platform: "telegram",
      user: { platform: "telegram", id: "1001", displayName: "tg1" },
    });
    expect(reply.errorCode).toBe("UNKNOWN_MEMBER");
  });
});
