import type { Doc } from "../bson-values";
import { asCommandError, commandNotFound } from "../errors";
import { aggregateCommands } from "./aggregate";
import { collectionCommands } from "./collections";
import type { CommandContext, CommandHandler, ServerState } from "./context";
import { findAndModifyCommands } from "./find-and-modify";
import { handshakeCommands } from "./handshake";
import { indexCommands } from "./indexes";
import { readCommands } from "./read";
import { writeCommands } from "./write";

const transactionCommands: Record<string, CommandHandler> = {
  commitTransaction: (_c, ctx) => {
    if (ctx.txn) ctx.server.sessions.commit(ctx.txn);
    return { ok: 1 };
  },
  abortTransaction: (_c, ctx) => {
    if (ctx.txn) ctx.server.sessions.abort(ctx.txn);
    return { ok: 1 };
  },
};

const handlers: Record<string, CommandHandler> = {
  ...handshakeCommands,
  ...readCommands,
  ...writeCommands,
  ...findAndModifyCommands,
  ...aggregateCommands,
  ...collectionCommands,
  ...indexCommands,
  ...transactionCommands,
};

/** Runs one command document and returns its reply document (errors become `ok: 0` replies). */
export function runCommand(command: Doc, server: ServerState, connectionId: number, messageBytes = 0): Doc {
  const name = Object.keys(command)[0] ?? "";
  const handler = Object.hasOwn(handlers, name) ? handlers[name] : undefined;
  if (!handler) return commandNotFound(name).toReply();
  const db = typeof command.$db === "string" ? command.$db : "admin";
  const ctx: CommandContext = { server, db, connectionId, txn: undefined, messageBytes };
  try {
    ctx.txn = server.sessions.transactionFor(command);
    return handler(command, ctx);
  } catch (error) {
    const failure = asCommandError(error);
    if (name !== "commitTransaction" && name !== "abortTransaction") server.sessions.abortOnError(ctx.txn);
    return failure.toReply();
  }
}
