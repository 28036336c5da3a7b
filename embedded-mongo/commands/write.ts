import { BSON } from "bson";
import { type Doc, isPlainObject, withIdFirst } from "../bson-values";
import { asCommandError, badValue, CommandError, failedToParse } from "../errors";
import { collationOf } from "../query/collation";
import { compileFilter } from "../query/matcher";
import { matchDocs } from "../query/plan";
import type { CollectionView } from "../storage/view";
import { applyUpdate, isOperatorUpdate, type UpdateSpec, upsertDocument } from "../update/apply-update";
import { evictOldest } from "./capped";
import { type CommandContext, type CommandHandler, collectionName, viewOf } from "./context";
import { MAX_BSON_OBJECT_SIZE } from "./handshake";
import { validateDocument } from "./validation";

/**
 * insert, update and delete: each statement is applied whole or not at all; a failed statement
 * becomes a `writeErrors` entry (ordered batches stop there). A WriteConflict fails the whole
 * command instead, as MongoDB reports it, so a transaction's driver can retry.
 */

function statements(command: Doc, field: string): Doc[] {
  const list = command[field];
  if (!Array.isArray(list) || !list.every(isPlainObject))
    throw badValue(`${field} must be an array of documents`);
  return list;
}

function runStatements(
  ctx: CommandContext,
  command: Doc,
  list: Doc[],
  apply: (statement: Doc, index: number) => void,
): Doc[] {
  const writeErrors: Doc[] = [];
  const ordered = command.ordered !== false;
  for (let i = 0; i < list.length; i++) {
    try {
      apply(list[i] as Doc, i);
    } catch (error) {
      const failure = asCommandError(error);
      if (failure.code === 112 || ctx.txn) throw failure;
      writeErrors.push({ index: i, code: failure.code, errmsg: failure.message, ...failure.extra });
      if (ordered) break;
    }
  }
  return writeErrors;
}

function withWriteErrors(reply: Doc, writeErrors: Doc[]): Doc {
  if (writeErrors.length > 0) reply.writeErrors = writeErrors;
  return reply;
}

/**
 * Applies a statement's writes all or nothing: when one fails (a duplicate key, a document an
 * open transaction holds) the ones already applied are put back before the error is reported.
 */
function applyAll(view: CollectionView, writes: Array<[string, Doc | null, Doc]>): void {
  const done: Array<[string, Doc]> = [];
  try {
    for (const [id, next, before] of writes) {
      if (next) view.replace(id, next);
      else view.remove(id);
      done.push([id, before]);
    }
  } catch (error) {
    if (!view.txn) for (const [id, before] of done.reverse()) view.replace(id, before);
    throw error;
  }
}

/** MongoDB stores no document over 16 MiB; only a message that large can carry one, so smaller ones skip the sizing. */
export function checkSize(doc: Doc, ctx: CommandContext, updated: boolean): void {
  if (ctx.messageBytes <= MAX_BSON_OBJECT_SIZE) return;
  const size = BSON.calculateObjectSize(doc);
  if (size <= MAX_BSON_OBJECT_SIZE) return;
  throw new CommandError(
    10334,
    "BSONObjectTooLarge",
    updated
      ? `Resulting document after update is larger than ${MAX_BSON_OBJECT_SIZE}`
      : `object to insert too large. size in bytes: ${size}, max size: ${MAX_BSON_OBJECT_SIZE}`,
  );
}

function insert(command: Doc, ctx: CommandContext): Doc {
  const view = viewOf(ctx, collectionName(command, "insert"), true)!;
  let n = 0;
  const writeErrors = runStatements(ctx, command, statements(command, "documents"), (doc) => {
    checkSize(doc, ctx, false);
    validateDocument(view.coll, doc, undefined, command);
    const stored = withIdFirst(doc);
    if (Array.isArray(stored._id)) throw badValue("The '_id' value cannot be of type array");
    view.insert(stored);
    evictOldest(view);
    n += 1;
  });
  return withWriteErrors({ n, ok: 1 }, writeErrors);
}

function arrayFiltersOf(statement: Doc): Doc[] | undefined {
  const filters = statement.arrayFilters;
  if (filters === undefined) return undefined;
  if (!Array.isArray(filters) || !filters.every(isPlainObject))
    throw failedToParse("arrayFilters must be an array of objects");
  return filters;
}

export function updateSpecOf(u: unknown): UpdateSpec {
  if (Array.isArray(u) && u.every(isPlainObject)) return u;
  if (isPlainObject(u)) return u;
  throw failedToParse("update must be an object or a pipeline");
}

function update(command: Doc, ctx: CommandContext): Doc {
  const view = viewOf(ctx, collectionName(command, "update"), true)!;
  let n = 0;
  let nModified = 0;
  const upserted: Doc[] = [];
  const writeErrors = runStatements(ctx, command, statements(command, "updates"), (statement, index) => {
    const filter = isPlainObject(statement.q) ? statement.q : {};
    const spec = updateSpecOf(statement.u);
    const arrayFilters = arrayFiltersOf(statement);
    const multi = statement.multi === true;
    if (multi && !isOperatorUpdate(spec))
      throw failedToParse("multi update is not supported for replacement-style update");
    const matches = matchDocs(view, filter, multi ? 0 : 1, collationOf(statement.collation));
    if (matches.length === 0) {
      if (statement.upsert !== true) return;
      const doc = upsertDocument(filter, spec, arrayFilters);
      checkSize(doc, ctx, true);
      validateDocument(view.coll, doc, undefined, command);
      view.insert(doc);
      n += 1;
      upserted.push({ index, _id: doc._id });
      return;
    }
    // Compute every new version first so a failing update leaves the statement unapplied.
    const changes: Array<[string, Doc]> = [];
    for (const [id, doc] of matches) {
      const next = applyUpdate(doc, spec, filter, arrayFilters);
      if (!next) continue;
      checkSize(next, ctx, true);
      validateDocument(view.coll, next, doc, command);
      changes.push([id, next]);
    }
    const originals = new Map(matches);
    applyAll(
      view,
      changes.map(([id, next]) => [id, next, originals.get(id) as Doc]),
    );
    n += matches.length;
    nModified += changes.length;
  });
  const reply: Doc = { n, nModified, ok: 1 };
  if (upserted.length > 0) reply.upserted = upserted;
  return withWriteErrors(reply, writeErrors);
}

function remove(command: Doc, ctx: CommandContext): Doc {
  const view = viewOf(ctx, collectionName(command, "delete"), false);
  let n = 0;
  const writeErrors = runStatements(ctx, command, statements(command, "deletes"), (statement) => {
    const filter = isPlainObject(statement.q) ? statement.q : {};
    if (!view) {
      compileFilter(filter);
      return;
    }
    const limit = Number(statement.limit ?? 0);
    if (limit !== 0 && limit !== 1)
      throw new CommandError(9, "FailedToParse", "The limit field in delete objects must be 0 or 1");
    const matches = matchDocs(view, filter, limit, collationOf(statement.collation));
    applyAll(
      view,
      matches.map(([id, doc]) => [id, null, doc]),
    );
    n += matches.length;
  });
  return withWriteErrors({ n, ok: 1 }, writeErrors);
}

export const writeCommands: Record<string, CommandHandler> = { insert, update, delete: remove };
