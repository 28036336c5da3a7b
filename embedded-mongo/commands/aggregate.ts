import { ProcessingMode } from "mingo";
import { Aggregator } from "mingo/aggregator";
import { type Doc, isPlainObject, plainNumbers, withIdFirst } from "../bson-values";
import { badValue, CommandError } from "../errors";
import { collationOf } from "../query/collation";
import { compileFilter, storeContext } from "../query/matcher";
import { computedFields, withStoredFields } from "../query/passed-through";
import { Collection } from "../storage/collection";
import { IndexSpec } from "../storage/index-spec";
import { CollectionView } from "../storage/view";
import { asNumber, type CommandContext, type CommandHandler, viewOf } from "./context";
import { diagnosticCommands } from "./diagnostics";
import { selectDocs } from "./read";

const explainCommand = diagnosticCommands.explain as CommandHandler;

/**
 * aggregate: a leading `$match` runs through the store's planner (so it can use an index); the
 * rest of the pipeline is mingo's, with `$lookup` and friends resolving other collections of
 * the same database as this command's transaction sees them.
 */
function aggregate(command: Doc, ctx: CommandContext): Doc {
  const pipeline = command.pipeline;
  if (!Array.isArray(pipeline) || !pipeline.every(isPlainObject))
    throw badValue("pipeline must be an array of objects");
  if (command.explain === true)
    return explainCommand(
      { explain: { aggregate: command.aggregate, pipeline }, verbosity: "queryPlanner" },
      ctx,
    );
  if (pipeline.some((stage) => "$changeStream" in stage)) {
    // MongoDB's own refusal where change streams cannot run, so clients fall back to polling.
    throw new CommandError(
      40573,
      "Location40573",
      "The $changeStream stage is only supported on replica sets (the embedded store keeps no oplog to stream from)",
    );
  }
  const last = pipeline[pipeline.length - 1] as Doc | undefined;
  const out = last && "$out" in last ? outTarget(last.$out, ctx.db) : undefined;
  for (const stage of out ? pipeline.slice(0, -1) : pipeline) {
    const name = Object.keys(stage)[0];
    if (name === "$out" || name === "$merge") {
      throw new CommandError(
        115,
        "CommandNotSupported",
        `${name} is not supported by the embedded store here`,
      );
    }
  }
  const target = command.aggregate;
  const onCollection = typeof target === "string";
  let stages = (out ? pipeline.slice(0, -1) : pipeline) as Doc[];
  let source: Doc[] = [];
  const collation = collationOf(command.collation);
  if (onCollection) {
    const first = stages[0];
    const match = first && isPlainObject(first.$match) ? first.$match : undefined;
    if (match) stages = stages.slice(1);
    source = selectDocs(viewOf(ctx, target, false), match, undefined, 0, 0, collation);
  }
  // The other $match stages are parsed before the pipeline runs, as MongoDB does, so a bad filter gets
  // MongoDB's error (or refusal) wherever it stands, even with no documents to test it on.
  for (const stage of stages) if (isPlainObject(stage.$match)) compileFilter(stage.$match);
  const aggregator = new Aggregator(stages, {
    context: storeContext,
    // The later $sort stages read it (the spec, checked above by collationOf).
    ...(collation ? { collation: command.collation as never } : {}),
    processingMode: ProcessingMode.CLONE_INPUT,
    useStrictMode: true,
    collectionResolver: (name: string) =>
      plainNumbers(selectDocs(viewOf(ctx, name, false), undefined, undefined, 0, 0)),
  });
  let docs: Doc[];
  try {
    // mingo's expressions compute with plain numbers only.
    const plain = plainNumbers(source);
    docs = withStoredValues(aggregator.run<Doc>(plain), plain, source, computedFields(stages));
  } catch (error) {
    if (error instanceof CommandError) throw error;
    throw new CommandError(40324, "Location40324", error instanceof Error ? error.message : String(error));
  }
  if (out) {
    writeOut(ctx, out, docs);
    docs = [];
  }
  const cursor = isPlainObject(command.cursor) ? command.cursor : {};
  const ns = `${ctx.db}.${onCollection ? target : "$cmd.aggregate"}`;
  return ctx.server.cursors.start(ns, docs, asNumber(cursor.batchSize)) as unknown as Doc;
}

/**
 * Results still standing for a source document (matched by its `_id`) get that document's stored
 * values back in the fields the pipeline did not compute. After a stage that makes documents of its
 * own (`computed` undefined) an equal `_id` is no sign of where a value came from, so none are.
 */
function withStoredValues(
  docs: Doc[],
  plain: Doc[],
  source: Doc[],
  computed: Set<string> | undefined,
): Doc[] {
  if (plain === source || docs.length === 0 || !computed) return docs;
  // Keyed by the id itself: numbers and strings by value, an ObjectId by identity (mingo's copy of
  // a document keeps it), which costs a count over a large collection next to nothing.
  const byId = new Map<unknown, number>();
  for (const [i, doc] of plain.entries()) byId.set(doc._id, i);
  return docs.map((doc) => {
    const i = byId.get(doc._id);
    return i === undefined ? doc : withStoredFields(doc, plain[i] as Doc, source[i] as Doc, computed);
  });
}

function outTarget(spec: unknown, db: string): { db: string; coll: string } {
  if (typeof spec === "string") return { db, coll: spec };
  if (isPlainObject(spec) && typeof spec.coll === "string") {
    return { db: typeof spec.db === "string" ? spec.db : db, coll: spec.coll };
  }
  throw badValue("$out needs a collection name or { db, coll }");
}

/** $out replaces the target collection's documents (its indexes stay), all at once. */
function writeOut(ctx: CommandContext, target: { db: string; coll: string }, docs: Doc[]): void {
  if (ctx.txn)
    throw new CommandError(263, "OperationNotSupportedInTransaction", "$out cannot run in a transaction");
  const store = ctx.server.store;
  const coll = store.ensureCollection(target.db, target.coll);
  const staging = new Collection(target.db, target.coll);
  for (const index of coll.indexes.values())
    if (index.name !== "_id_") staging.addIndex(new IndexSpec(index.describe()));
  for (const doc of docs) staging.insertChecked(withIdFirst(doc), 0);
  const view = new CollectionView(store, coll);
  for (const [id] of [...coll.docs]) view.remove(id);
  for (const doc of staging.docs.values()) view.insert(doc);
}

export const aggregateCommands: Record<string, CommandHandler> = { aggregate };
