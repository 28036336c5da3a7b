import { type Doc, isPlainObject, keyOf } from "../bson-values";
import { badValue, CommandError, namespaceNotFound } from "../errors";
import { IndexSpec } from "../storage/index-spec";
import { asNumber, type CommandContext, type CommandHandler, collectionName } from "./context";

function createIndexes(command: Doc, ctx: CommandContext): Doc {
  const name = collectionName(command, "createIndexes");
  const specs = command.indexes;
  if (!Array.isArray(specs) || specs.length === 0 || !specs.every(isPlainObject)) {
    throw badValue("indexes must be a non-empty array of index specifications");
  }
  const store = ctx.server.store;
  const existed = store.collection(ctx.db, name) !== undefined;
  const coll = store.ensureCollection(ctx.db, name);
  const before = coll.indexes.size;
  for (const raw of specs) {
    const spec = new IndexSpec(raw);
    const sameName = coll.indexes.get(spec.name);
    if (sameName) {
      if (keyOf(sameName.key) !== keyOf(spec.key)) {
        throw new CommandError(
          86,
          "IndexKeySpecsConflict",
          `An existing index has the same name (${spec.name}) as the requested index but a different key`,
        );
      }
      if (keyOf(sameName.options) !== keyOf(spec.options)) {
        throw new CommandError(
          85,
          "IndexOptionsConflict",
          `An existing index has the same name (${spec.name}) as the requested index but different options`,
        );
      }
      continue;
    }
    const sameKey = [...coll.indexes.values()].find((o) => keyOf(o.key) === keyOf(spec.key));
    if (sameKey) {
      if (keyOf(sameKey.options) !== keyOf(spec.options)) {
        throw new CommandError(
          85,
          "IndexOptionsConflict",
          `Index already exists with a different name: ${sameKey.name}`,
        );
      }
      continue;
    }
    coll.addIndex(spec);
  }
  const reply: Doc = {
    numIndexesBefore: before,
    numIndexesAfter: coll.indexes.size,
    createdCollectionAutomatically: !existed,
    ok: 1,
  };
  if (before === coll.indexes.size) reply.note = "all indexes already exist";
  return reply;
}

function listIndexes(command: Doc, ctx: CommandContext): Doc {
  const name = collectionName(command, "listIndexes");
  const coll = ctx.server.store.collection(ctx.db, name);
  if (!coll) throw namespaceNotFound(`${ctx.db}.${name}`);
  const cursor = isPlainObject(command.cursor) ? command.cursor : {};
  const docs = [...coll.indexes.values()].map((i) => i.describe());
  return ctx.server.cursors.start(`${ctx.db}.${name}`, docs, asNumber(cursor.batchSize)) as unknown as Doc;
}

function dropIndexes(command: Doc, ctx: CommandContext): Doc {
  const name = collectionName(command, "dropIndexes");
  const coll = ctx.server.store.collection(ctx.db, name);
  if (!coll) throw namespaceNotFound(`${ctx.db}.${name}`);
  const before = coll.indexes.size;
  const target = command.index;
  const notFound = (what: string) =>
    new CommandError(27, "IndexNotFound", `index not found with name [${what}]`);
  if (target === "*") {
    for (const indexName of [...coll.indexes.keys()]) if (indexName !== "_id_") coll.dropIndex(indexName);
  } else if (typeof target === "string" || Array.isArray(target)) {
    const names = typeof target === "string" ? [target] : target.map(String);
    for (const indexName of names) if (!coll.indexes.has(indexName)) throw notFound(indexName);
    for (const indexName of names) coll.dropIndex(indexName);
  } else if (isPlainObject(target)) {
    const match = [...coll.indexes.values()].find((i) => keyOf(i.key) === keyOf(target));
    if (!match)
      throw new CommandError(27, "IndexNotFound", `can't find index with key: ${JSON.stringify(target)}`);
    coll.dropIndex(match.name);
  } else throw badValue("index must be a name, an array of names, a key pattern or '*'");
  return { nIndexesWas: before, ok: 1 };
}

export const indexCommands: Record<string, CommandHandler> = { createIndexes, listIndexes, dropIndexes };
