import { ProcessingMode } from "mingo";
import { Aggregator } from "mingo/aggregator";
import { type Doc, isPlainObject } from "../bson-values";
import { badValue, CommandError } from "../errors";
import { storeContext } from "../query/matcher";
import { asNumber, type CommandContext, type CommandHandler, viewOf } from "./context";
import { selectDocs } from "./read";

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
    throw new CommandError(115, "CommandNotSupported", "explain is not supported by the embedded store");
  for (const stage of pipeline) {
    const name = Object.keys(stage)[0];
    if (name === "$out" || name === "$merge") {
      throw new CommandError(115, "CommandNotSupported", `${name} is not supported by the embedded store`);
    }
  }
  const target = command.aggregate;
  const onCollection = typeof target === "string";
  let stages = pipeline as Doc[];
  let source: Doc[] = [];
  if (onCollection) {
    const first = stages[0];
    const match = first && isPlainObject(first.$match) ? first.$match : undefined;
    if (match) stages = stages.slice(1);
    source = selectDocs(viewOf(ctx, target, false), match, undefined, 0, 0);
  }
  const aggregator = new Aggregator(stages, {
    context: storeContext,
    processingMode: ProcessingMode.CLONE_INPUT,
    useStrictMode: true,
    collectionResolver: (name: string) => selectDocs(viewOf(ctx, name, false), undefined, undefined, 0, 0),
  });
  let docs: Doc[];
  try {
    docs = aggregator.run<Doc>(source);
  } catch (error) {
    if (error instanceof CommandError) throw error;
    throw new CommandError(40324, "Location40324", error instanceof Error ? error.message : String(error));
  }
  const cursor = isPlainObject(command.cursor) ? command.cursor : {};
  const ns = `${ctx.db}.${onCollection ? target : "$cmd.aggregate"}`;
  return ctx.server.cursors.start(ns, docs, asNumber(cursor.batchSize)) as unknown as Doc;
}

export const aggregateCommands: Record<string, CommandHandler> = { aggregate };
