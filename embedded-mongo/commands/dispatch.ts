import type { Doc } from "../bson-values";
import { asCommandError, commandNotFound } from "../errors";
import { aggregateCommands } from "./aggregate";
import { collectionCommands } from "./collections";
import type { CommandContext, CommandHandler, ServerState, ServerStats } from "./context";
import { diagnosticCommands } from "./diagnostics";
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
  ...diagnosticCommands,
};

// A module function rather than a closure per command: tsx's keepNames makes each named closure a defineProperty call.
function statementCount(list: unknown): number {
  return Array.isArray(list) ? list.length : 1;
}

/** serverStatus's opcounters as MongoDB counts them: inserts per document, updates and deletes per statement. */
function count(name: string, command: Doc, counters: ServerStats["opcounters"]): void {
  if (name === "insert") counters.insert += statementCount(command.documents);
  else if (name === "update") counters.update += statementCount(command.updates);
  else if (name === "delete") counters.delete += statementCount(command.deletes);
  else if (name === "find") counters.query += 1;
  else if (name === "getMore") counters.getmore += 1;
  else counters.command += 1;
}

/** Runs one command document and returns its reply document (errors become `ok: 0` replies). */
export function runCommand(command: Doc, server: ServerState, connectionId: number, messageBytes = 0): Doc {
  const name = Object.keys(command)[0] ?? "";
  const handler = Object.hasOwn(handlers, name) ? handlers[name] : undefined;
  if (!handler) return commandNotFound(name).toReply();
  count(name, command, server.stats.opcounters);
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
