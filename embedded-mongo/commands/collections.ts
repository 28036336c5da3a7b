import { type Doc, isPlainObject } from "../bson-values";
import { CommandError, invalidOptions } from "../errors";
import { compileFilter } from "../query/matcher";
import { asNumber, type CommandContext, type CommandHandler, collectionName } from "./context";

function create(command: Doc, ctx: CommandContext): Doc {
  const name = collectionName(command, "create");
  const {
    create: _c,
    $db: _d,
    lsid: _l,
    txnNumber: _t,
    autocommit: _a,
    startTransaction: _s,
    writeConcern: _w,
    ...options
  } = command;
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

export const collectionCommands: Record<string, CommandHandler> = {
  create,
  drop,
  dropDatabase,
  listCollections,
};
