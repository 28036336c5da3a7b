/**
 * How many database commands each chat command sends, counted by a command monitor on the
 * connection's driver. Every round trip is a cost every user pays on every command: a change that
 * adds one fails here and has to say why in this file.
 */

import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import mongoose, { type Connection } from "mongoose";
import { MENTION_SYNTAX } from "../../adapters";
import { COMMANDS } from "../../commands";
import type { Invocation } from "../../src/chat/invocation";
import { createProcessedEvents } from "../../src/chat/processed-events";
import { type ChatRouter, createRouter } from "../../src/chat/router";
import { createSeenChannels } from "../../src/chat/seen-channels";
import { silentLogger } from "../../src/logger";
import { engineOn, type Harness, PUBLIC_URL } from "../engine/support/harness";
import { dropConnection, freshDatabaseUri } from "../support/db";

let connection: Connection;
let h: Harness;
let router: ChatRouter;
/** Every command the driver started, by name and collection, in order. */
const started: string[] = [];

let seq = 0;
function invocation(user: string, line: string): Invocation {
  const [command, ...rest] = line.replace(/^\//, "").split(" ");
  return {
    platform: "slack",
    command: command!,
    args: { text: rest.join(" ") },
    user: { platform: "slack", id: `T1:${user}`, displayName: user },
    channel: { id: "C1", kind: "group" },
    eventId: `command:rt.${++seq}`,
    raw: null,
  };
}

/** Runs one command and returns the database commands it sent. */
async function roundTrips(user: string, line: string): Promise<string[]> {
  const from = started.length;
  const reply = await router.handle(invocation(user, line));
  expect(reply.errorCode).toBeUndefined();
  return started.slice(from);
}

beforeAll(async () => {
  connection = await mongoose
    .createConnection(freshDatabaseUri("round_trips"), { monitorCommands: true })
    .asPromise();
  connection.getClient().on("commandStarted", (event) => {
    const target = event.command[event.commandName];
    started.push(typeof target === "string" ? `${event.commandName} ${target}` : event.commandName);
  });
  h = await engineOn(connection);
  router = createRouter({
    engine: h.engine,
    commands: COMMANDS,
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

async function openGroup(): Promise<string> {
  const reply = await router.handle(invocation("UORG", "/groupbuy KB-75 size=2 max=10"));
  const code = /\/g\/([0-9A-Z]+)/.exec(reply.text)?.[1];
  if (!code) throw new Error(`no group code in: ${reply.text}`);
  return code;
}

describe("database round trips per command", () => {
  it("/cart add by a returning shopper: 1", async () => {
    await roundTrips("USHOP", "/cart add KB-75");
    expect(await roundTrips("USHOP", "/cart add KB-75 qty=2")).toEqual(["findAndModify cart_sessions"]);
  });

  it("/join of an open group: 3 (order, membership, commit; the outbox relays its shipping request)", async () => {
    await roundTrips("UJOIN", "/catalog"); // a caller already seen, like most
    const code = await openGroup();
    const sent = await roundTrips("UJOIN", `/join ${code}`);
    expect(sent).toEqual(["insert orders", "findAndModify groups", "commitTransaction"]);
  });

  it("/groupbuy naming people already known: 3, however many", async () => {
    await roundTrips("UOPEN", "/groupbuy KB-75 <@UK1> <@UK2> <@UK3> <@UK4> <@UK5> <@UK6>");
    expect(await roundTrips("UOPEN", "/groupbuy KB-75 <@UK1> <@UK2> <@UK3>")).toHaveLength(3);
    expect(
      await roundTrips("UOPEN", "/groupbuy KB-75 <@UK1> <@UK2> <@UK3> <@UK4> <@UK5> <@UK6>"),
    ).toHaveLength(3);
  });

  it("/groupbuy naming people new to crowdcart: 5 (2 to record them), however many", async () => {
    await roundTrips("UOPEN", "/catalog");
    const three = await roundTrips("UOPEN", "/groupbuy KB-75 <@UM1> <@UM2> <@UM3>");
    const six = await roundTrips("UOPEN", "/groupbuy KB-75 <@UN1> <@UN2> <@UN3> <@UN4> <@UN5> <@UN6>");
    expect(three).toHaveLength(5);
    expect(six).toHaveLength(5);
  });

  it("/catalog when warm: 0", async () => {
    await roundTrips("UCAT", "/catalog");
    expect(await roundTrips("UCAT", "/catalog")).toEqual([]);
  });

  it("an outbox pass with nothing due: the relay's one read, then 1 claim a queue (shipping, each platform), not one a lane", async () => {
    await h.engine.outbox.runOnce();
    const from = started.length;
    expect(await h.engine.outbox.runOnce()).toBe(0);
    expect(started.slice(from)).toEqual(["find orders", "findAndModify outbox", "findAndModify outbox"]);
  });
});
