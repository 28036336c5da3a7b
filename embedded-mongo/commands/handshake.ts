import { ObjectId } from "bson";
import type { Doc } from "../bson-values";
import type { CommandContext, CommandHandler } from "./context";

export const MAX_BSON_OBJECT_SIZE = 16 * 1024 * 1024;
export const MAX_MESSAGE_SIZE_BYTES = 48_000_000;
const electionId = new ObjectId("7fffffff0000000000000001");

/**
 * A one-member replica set, so the driver allows sessions and transactions. No
 * `topologyVersion`: with it the driver would switch to streaming (awaitable) hello.
 */
export function helloReply(ctx: CommandContext, legacy: boolean): Doc {
  const { address, setName } = ctx.server;
  const now = new Date();
  return {
    ...(legacy ? { ismaster: true } : { isWritablePrimary: true }),
    helloOk: true,
    secondary: false,
    setName,
    setVersion: 1,
    hosts: [address],
    primary: address,
    me: address,
    electionId,
    lastWrite: { lastWriteDate: now, majorityWriteDate: now },
    maxBsonObjectSize: MAX_BSON_OBJECT_SIZE,
    maxMessageSizeBytes: MAX_MESSAGE_SIZE_BYTES,
    maxWriteBatchSize: 100_000,
    localTime: now,
    logicalSessionTimeoutMinutes: 30,
    connectionId: ctx.connectionId,
    minWireVersion: 0,
    maxWireVersion: 21,
    readOnly: false,
    ok: 1,
  };
}

export const handshakeCommands: Record<string, CommandHandler> = {
  hello: (_c, ctx) => helloReply(ctx, false),
  isMaster: (_c, ctx) => helloReply(ctx, true),
  ismaster: (_c, ctx) => helloReply(ctx, true),
  ping: () => ({ ok: 1 }),
  buildInfo: () => buildInfo,
  buildinfo: () => buildInfo,
  endSessions: (command, ctx) => {
    ctx.server.sessions.end(Array.isArray(command.endSessions) ? command.endSessions : []);
    return { ok: 1 };
  },
  listDatabases: (command, ctx) => {
    const databases = [...ctx.server.store.databases.entries()].map(([name, collections]) => ({
      name,
      sizeOnDisk: 0,
      empty: [...collections.values()].every((c) => c.docs.size === 0),
    }));
    return command.nameOnly
      ? { databases: databases.map((d) => ({ name: d.name })), ok: 1 }
      : { databases, totalSize: 0, totalSizeMb: 0, ok: 1 };
  },
};

export const buildInfo: Doc = {
  version: "7.0.0",
  gitVersion: "crowdcart-embedded",
  versionArray: [7, 0, 0, 0],
  bits: 64,
  maxBsonObjectSize: MAX_BSON_OBJECT_SIZE,
  storageEngines: ["embedded"],
  modules: [],
  ok: 1,
};
