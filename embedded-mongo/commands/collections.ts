import { type Doc, isPlainObject, keyOf, setOwn } from "../bson-values";
import { CommandError, invalidOptions, namespaceNotFound } from "../errors";
import { compileFilter } from "../query/matcher";
import type { Collection } from "../storage/collection";
import type { IndexSpec } from "../storage/index-spec";
import { asNumber, type CommandContext, type CommandHandler, collectionName } from "./context";
import { checkValidationOptions } from "./validation";

/** Fields every command may carry that are no option of the command itself. */
const ENVELOPE = new Set([
  "$db",
  "lsid",
  "txnNumber",
  "autocommit",
  "startTransaction",
  "writeConcern",
  "$clusterTime",
  "$readPreference",
  "comment",
  "apiVersion",
  "apiStrict",
  "apiDeprecationErrors",
]);

function optionsOf(command: Doc): Doc {
  const options: Doc = {};
  for (const [key, value] of Object.entries(command).slice(1))
    if (!ENVELOPE.has(key)) setOwn(options, key, value);
  return options;
}

function create(command: Doc, ctx: CommandContext): Doc {
  const name = collectionName(command, "create");
  const options = optionsOf(command);
  checkValidationOptions(options);
  if (options.capped === true && !options.size)
    throw invalidOptions("the 'size' field is required when 'capped' is true");
  ctx.server.store.create(ctx.db, name, options);
  return { ok: 1 };
}

function drop(command: Doc, ctx: CommandContext): Doc {
  const name = collectionName(command, "drop");
  if (ctx.txn)
    throw new CommandError(
      263,
      "OperationNotSupportedInTransaction",
      "Cannot run 'drop' in a multi-document transaction.",
    );
  const dropped = ctx.server.store.drop(ctx.db, name);
  // MongoDB 7 answers ok for a collection that does not exist.
  if (!dropped) return { ok: 1 };
  return { nIndexesWas: dropped.indexes.size, ns: dropped.ns, ok: 1 };
}

function dropDatabase(_command: Doc, ctx: CommandContext): Doc {
  ctx.server.store.dropDatabase(ctx.db);
  return { dropped: ctx.db, ok: 1 };
}

function listCollections(command: Doc, ctx: CommandContext): Doc {
  const collections = ctx.server.store.databases.get(ctx.db);
  const nameOnly = command.nameOnly === true;
  let infos: Doc[] = [...(collections?.values() ?? [])].map((c) =>
    nameOnly
      ? { name: c.name, type: "collection" }
      : {
          name: c.name,
          type: "collection",
          options: c.options,
          info: { readOnly: false, uuid: c.uuid },
          idIndex: { v: 2, key: { _id: 1 }, name: "_id_" },
        },
  );
  if (isPlainObject(command.filter)) {
    const match = compileFilter(command.filter);
    infos = infos.filter(match);
  }
  const cursor = isPlainObject(command.cursor) ? command.cursor : {};
  return ctx.server.cursors.start(
    `${ctx.db}.$cmd.listCollections`,
    infos,
    asNumber(cursor.batchSize),
  ) as unknown as Doc;
}

/** collMod: validator, validationLevel/Action, and an index's TTL (`index: { keyPattern | name, expireAfterSeconds }`). */
function collMod(command: Doc, ctx: CommandContext): Doc {
  const name = collectionName(command, "collMod");
  const coll = ctx.server.store.collection(ctx.db, name);
  if (!coll) throw namespaceNotFound(`${ctx.db}.${name}`);
  const changes = optionsOf(command);
  const reply: Doc = {};
  for (const key of Object.keys(changes)) {
    if (key !== "validator" && key !== "validationLevel" && key !== "validationAction" && key !== "index")
      throw new CommandError(40415, "Location40415", `BSON field 'collMod.${key}' is an unknown field.`);
  }
  checkValidationOptions(changes);
  const indexChange = changes.index === undefined ? undefined : ttlChange(coll, changes.index);
  // Through setOptions and setIndexExpiry only, so the journal keeps the change across a restart.
  const options = { ...coll.options };
  for (const key of ["validator", "validationLevel", "validationAction"])
    if (changes[key] !== undefined) options[key] = changes[key];
  coll.setOptions(options);
  if (indexChange) {
    const [index, seconds] = indexChange;
    reply.expireAfterSeconds_old = index.expireAfterSeconds;
    reply.expireAfterSeconds_new = seconds;
    coll.setIndexExpiry(index, seconds);
  }
  return { ...reply, ok: 1 };
}

function ttlChange(coll: Collection, spec: unknown): [IndexSpec, number] {
  if (!isPlainObject(spec)) throw new CommandError(14, "TypeMismatch", "collMod index must be an object");
  const index = [...coll.indexes.values()].find((i) =>
    isPlainObject(spec.keyPattern) ? keyOf(i.key) === keyOf(spec.keyPattern) : i.name === spec.name,
  );
  if (!index) {
    const what = isPlainObject(spec.keyPattern)
      ? JSON.stringify(spec.keyPattern)
      : `name ${String(spec.name)}`;
    throw new CommandError(27, "IndexNotFound", `cannot find index ${what} for ns ${coll.ns}`);
  }
  const seconds = spec.expireAfterSeconds;
  if (typeof seconds !== "number" || !Number.isFinite(seconds) || seconds < 0)
    throw new CommandError(2, "BadValue", "expireAfterSeconds must be a non-negative number");
  if (index.name === "_id_" || index.fields.length !== 1)
    throw new CommandError(
      72,
      "InvalidOptions",
      "TTL indexes are single-field indexes, compound indexes do not support TTL",
    );
  return [index, seconds];
}

export const collectionCommands: Record<string, CommandHandler> = {
  create,
  collMod,
  drop,
  dropDatabase,
  listCollections,
};
