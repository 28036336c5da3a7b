import { hostname } from "node:os";
import { type Doc, isPlainObject } from "../bson-values";
import { badValue, CommandError } from "../errors";
import { planStage } from "../query/plan";
import { type CommandContext, type CommandHandler, viewOf } from "./context";
import { buildInfo } from "./handshake";
import { selectDocs } from "./read";

/** serverStatus: the sections drivers, ODMs and monitoring read (version, uptime, connections, opcounters). */
function serverStatus(_command: Doc, ctx: CommandContext): Doc {
  const { stats, setName, address } = ctx.server;
  const uptimeMillis = Date.now() - stats.startedAt;
  const memory = process.memoryUsage();
  return {
    host: hostname(),
    version: buildInfo.version,
    process: "mongod",
    pid: process.pid,
    uptime: Math.floor(uptimeMillis / 1000),
    uptimeMillis,
    uptimeEstimate: Math.floor(uptimeMillis / 1000),
    localTime: new Date(),
    connections: {
      current: stats.connectionsCurrent,
      available: 1_000_000 - stats.connectionsCurrent,
      totalCreated: stats.connectionsTotal,
      active: stats.connectionsCurrent,
    },
    opcounters: { ...stats.opcounters },
    mem: { bits: 64, resident: Math.round(memory.rss / 1048576), virtual: Math.round(memory.rss / 1048576) },
    repl: {
      setName,
      isWritablePrimary: true,
      secondary: false,
      hosts: [address],
      primary: address,
      me: address,
    },
    storageEngine: { name: "embedded", supportsCommittedReads: true, persistent: false },
    ok: 1,
  };
}

/** The collection and filter an explained command reads (its first statement for writes). */
function explainedRead(inner: Doc): { name: string; filter: Doc } {
  const name = Object.keys(inner)[0] ?? "";
  const target = inner[name];
  if (typeof target !== "string") throw badValue(`explain of ${name} needs a collection name`);
  const first = (field: string) => {
    const list = inner[field];
    return Array.isArray(list) && isPlainObject(list[0]) && isPlainObject(list[0].q) ? list[0].q : {};
  };
  const doc = (v: unknown) => (isPlainObject(v) ? v : {});
  switch (name) {
    case "find":
      return { name: target, filter: doc(inner.filter) };
    case "count":
    case "distinct":
    case "findAndModify":
    case "findandmodify":
      return { name: target, filter: doc(inner.query) };
    case "update":
      return { name: target, filter: first("updates") };
    case "delete":
      return { name: target, filter: first("deletes") };
    case "aggregate": {
      const stage = Array.isArray(inner.pipeline) ? inner.pipeline[0] : undefined;
      return { name: target, filter: isPlainObject(stage) ? doc(stage.$match) : {} };
    }
  }
  throw new CommandError(
    115,
    "CommandNotSupported",
    `explain of ${name} is not supported by the embedded store`,
  );
}

/** Plan as explain describes it: IDHACK, FETCH over an IXSCAN, or COLLSCAN. */
function winningPlan(stage: { stage: string; indexName?: string }, filter: Doc, index?: Doc): Doc {
  if (stage.stage === "IDHACK") return { stage: "IDHACK" };
  if (stage.stage === "COLLSCAN") return { stage: "COLLSCAN", filter, direction: "forward" };
  return {
    stage: "FETCH",
    filter,
    inputStage: { stage: "IXSCAN", keyPattern: index ?? {}, indexName: stage.indexName, isMultiKey: false },
  };
}

/** explain: the plan the store would follow (queryPlanner), and for reads what running it returns (executionStats). */
function explain(command: Doc, ctx: CommandContext): Doc {
  const inner = command.explain;
  if (!isPlainObject(inner)) throw badValue("explain must be a document naming the command to explain");
  const verbosity = typeof command.verbosity === "string" ? command.verbosity : "allPlansExecution";
  const { name, filter } = explainedRead(inner);
  const view = viewOf(ctx, name, false);
  const stage = view ? planStage(view, filter) : { stage: "EOF" };
  const index = stage.indexName ? view?.coll.indexes.get(stage.indexName)?.key : undefined;
  const [host, port] = ctx.server.address.split(":");
  const reply: Doc = {
    explainVersion: "1",
    queryPlanner: {
      namespace: `${ctx.db}.${name}`,
      indexFilterSet: false,
      parsedQuery: filter,
      winningPlan: winningPlan(stage, filter, index),
      rejectedPlans: [],
    },
    command: { ...inner, $db: ctx.db },
    serverInfo: { host, port: Number(port), version: buildInfo.version, gitVersion: buildInfo.gitVersion },
    ok: 1,
  };
  if (verbosity !== "queryPlanner") {
    const started = Date.now();
    const nReturned = selectDocs(view, filter, undefined, 0, 0).length;
    const docsExamined = stage.stage === "COLLSCAN" ? (view?.coll.docs.size ?? 0) : nReturned;
    reply.executionStats = {
      executionSuccess: true,
      nReturned,
      executionTimeMillis: Date.now() - started,
      totalKeysExamined: stage.stage === "COLLSCAN" ? 0 : nReturned,
      totalDocsExamined: docsExamined,
    };
  }
  return reply;
}

export const diagnosticCommands: Record<string, CommandHandler> = { serverStatus, explain };
