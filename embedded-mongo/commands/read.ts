import { type Doc, isPlainObject, keyOf, pathValues } from "../bson-values";
import { badValue } from "../errors";
import { type Collation, collationOf } from "../query/collation";
import { compileFilter } from "../query/matcher";
import { matchDocs } from "../query/plan";
import { projectDocs } from "../query/project";
import { sortDocs } from "../query/sort";
import type { CollectionView } from "../storage/view";
import { asNumber, type CommandContext, type CommandHandler, collectionName, viewOf } from "./context";

function filterOf(v: unknown, field: string): Doc | undefined {
  if (v === undefined || v === null) return undefined;
  if (!isPlainObject(v)) throw badValue(`${field} must be an object`);
  return v;
}

/** Filter, sort, skip and limit over a collection view (no projection). */
export function selectDocs(
  view: CollectionView | undefined,
  filter: Doc | undefined,
  sort: unknown,
  skip: number,
  limit: number,
  collation?: Collation,
): Doc[] {
  if (!view) {
    // A missing collection matches nothing, but a bad filter is still refused.
    compileFilter(filter);
    return [];
  }
  const sorted = isPlainObject(sort) && Object.keys(sort).length > 0;
  const entries = matchDocs(view, filter, sorted || limit === 0 ? 0 : skip + limit, collation);
  let docs = entries.map((e) => e[1]);
  if (sorted) docs = sortDocs(docs, sort, (d) => d, collation);
  if (skip > 0 || limit > 0) docs = docs.slice(skip, limit > 0 ? skip + limit : undefined);
  return docs;
}

function find(command: Doc, ctx: CommandContext): Doc {
  const name = collectionName(command, "find");
  const filter = filterOf(command.filter, "filter");
  const rawLimit = asNumber(command.limit) ?? 0;
  const skip = asNumber(command.skip) ?? 0;
  if (skip < 0) throw badValue("skip value must be non-negative");
  const limit = Math.abs(rawLimit);
  const collation = collationOf(command.collation);
  let docs = selectDocs(viewOf(ctx, name, false), filter, command.sort, skip, limit, collation);
  docs = projectDocs(docs, command.projection, filter);
  const batchSize = asNumber(command.batchSize);
  const single = command.singleBatch === true || rawLimit < 0;
  return ctx.server.cursors.start(
    `${ctx.db}.${name}`,
    docs,
    limit > 0 ? Math.min(limit, batchSize ?? limit) : batchSize,
    single,
  ) as unknown as Doc;
}

function count(command: Doc, ctx: CommandContext): Doc {
  const name = collectionName(command, "count");
  const skip = asNumber(command.skip) ?? 0;
  const limit = Math.abs(asNumber(command.limit) ?? 0);
  const view = viewOf(ctx, name, false);
  const query = filterOf(command.query, "query");
  if (view && (!query || Object.keys(query).length === 0) && !ctx.txn && command.collation === undefined) {
    const total = view.coll.docs.size;
    const n = Math.max(0, total - skip);
    return { n: limit > 0 ? Math.min(n, limit) : n, ok: 1 };
  }
  const collation = collationOf(command.collation);
  return { n: selectDocs(view, query, undefined, skip, limit, collation).length, ok: 1 };
}

function distinct(command: Doc, ctx: CommandContext): Doc {
  const name = collectionName(command, "distinct");
  if (typeof command.key !== "string") throw badValue("distinct key must be a string");
  const key = command.key;
  const query = filterOf(command.query, "query");
  const docs = selectDocs(viewOf(ctx, name, false), query, undefined, 0, 0, collationOf(command.collation));
  const seen = new Map<string, unknown>();
  for (const doc of docs) {
    for (const value of pathValues(doc, key)) {
      if (value === undefined) continue;
      const k = keyOf(value);
      if (!seen.has(k)) seen.set(k, value);
    }
  }
  const values = sortDocs(
    [...seen.values()].map((v) => ({ v })),
    { v: 1 },
    (d) => d,
  ).map((d) => d.v);
  return { values, ok: 1 };
}

export const readCommands: Record<string, CommandHandler> = {
  find,
  count,
  distinct,
  getMore: (command, ctx) =>
    ctx.server.cursors.more(command.getMore, asNumber(command.batchSize)) as unknown as Doc,
  killCursors: (command, ctx) =>
    ctx.server.cursors.kill(Array.isArray(command.cursors) ? command.cursors : []),
};
