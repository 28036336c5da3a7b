import { ObjectId } from "bson";
import { update as mingoUpdate, ProcessingMode } from "mingo";
import { Aggregator } from "mingo/aggregator";
import {
  cloneDoc,
  type Doc,
  isPlainObject,
  keyOf,
  plainNumbers,
  setOwn,
  setPath,
  withIdFirst,
} from "../bson-values";
import {
  badValue,
  CommandError,
  failedToParse,
  immutableField,
  invalidOptions,
  shownValue,
  typeMismatch,
} from "../errors";
import { storeContext } from "../query/matcher";
import { computedFields, withStoredFields } from "../query/passed-through";
import { fastUpdate, firstConflict } from "./fast-update";
import { checkRenames } from "./rename-checks";

/**
 * Update documents with mingo's update operators (positional `$`, `$[]`, `$[<id>]` with
 * arrayFilters included) or a replacement, keeping `_id` immutable the way MongoDB does.
 */

export type UpdateSpec = Doc | Doc[];

export function isOperatorUpdate(update: UpdateSpec): boolean {
  if (Array.isArray(update)) return true;
  const keys = Object.keys(update);
  return keys.length > 0 && keys.every((k) => k.startsWith("$"));
}

function validate(update: UpdateSpec): void {
  if (Array.isArray(update)) return;
  const keys = Object.keys(update);
  const operators = keys.filter((k) => k.startsWith("$"));
  if (operators.length > 0 && operators.length !== keys.length) {
    throw new CommandError(
      9,
      "FailedToParse",
      "Unknown modifier: mixing operators and fields in an update document",
    );
  }
  for (const op of operators) {
    if (!isPlainObject(update[op])) {
      throw new CommandError(
        9,
        "FailedToParse",
        `Modifiers operate on fields but we found type ${typeof update[op]} instead.`,
      );
    }
  }
}

/** The operators that apply to an existing document (`$setOnInsert` only applies to an upsert's insert). */
function forExisting(update: Doc): Doc {
  if (!("$setOnInsert" in update)) return update;
  const { $setOnInsert: _ignored, ...rest } = update;
  return rest;
}

function forInsert(update: Doc): Doc {
  const { $setOnInsert, ...rest } = update;
  if (!isPlainObject($setOnInsert)) return rest;
  return { ...rest, $set: { ...(isPlainObject(rest.$set) ? rest.$set : {}), ...$setOnInsert } };
}

/**
 * The update split into one operator on one path per step, after MongoDB's own conflict check:
 * two paths conflict when one equals or contains the other (positional parts compared as written).
 */
function singlePathUpdates(update: Doc, conditions: Doc[]): Doc[] {
  const steps: Doc[] = [];
  const paths: string[] = [];
  for (const [op, fields] of Object.entries(update)) {
    for (const [path, value] of Object.entries(fields as Doc)) {
      steps.push({ [op]: { [path]: value } });
      paths.push(path);
      if (op === "$rename" && typeof value === "string") paths.push(value);
    }
  }
  const conflict = firstConflict(paths);
  if (conflict) {
    throw new CommandError(
      40,
      "ConflictingUpdateOperators",
      `Updating the path '${conflict[0]}' would create a conflict at '${conflict[1]}'`,
    );
  }
  if (steps.length <= 1) return [update];
  // MongoDB picks the elements a positional path updates before changing any: steps writing a
  // field the filter or an array filter tests go last, so the others still find their elements.
  const tested = new Set<string>();
  for (const condition of conditions) for (const key of Object.keys(condition)) tested.add(lastPart(key));
  const writesTested = (step: Doc) =>
    tested.has(lastPart(Object.keys(Object.values(step)[0] as Doc)[0] ?? ""));
  return [...steps.filter((step) => !writesTested(step)), ...steps.filter(writesTested)];
}

const lastPart = (path: string) => path.slice(path.lastIndexOf(".") + 1);

/** A step writing through the positional `$` (the element the filter matched). */
const isPositional = (step: Doc) =>
  Object.values(step).some((fields) =>
    Object.keys(fields as Doc).some((path) => /(^|\.)\$(\.|$)/.test(path)),
  );

/** Every `$[id]` in the update's paths has an array filter, and every array filter is used (MongoDB's checks). */
function checkArrayFilters(update: Doc, arrayFilters: Doc[]): void {
  const used = new Set<string>();
  for (const fields of Object.values(update)) {
    for (const path of Object.keys(fields as Doc)) {
      for (const [, id] of path.matchAll(/\$\[(\w+)\]/g)) {
        used.add(id as string);
        if (!arrayFilters.some((f) => Object.keys(f).some((k) => k === id || k.startsWith(`${id}.`))))
          throw badValue(`No array filter found for identifier '${id}' in path '${path}'`);
      }
    }
  }
  for (const filter of arrayFilters) {
    const id = (Object.keys(filter)[0] ?? "").split(".")[0] as string;
    if (!used.has(id))
      throw failedToParse(
        `The array filter for identifier '${id}' was not used in the update ${shownValue(update)}`,
      );
  }
}

/** The stages MongoDB runs in an update pipeline (`updateOne(filter, [{ $set: … }])`). */
const UPDATE_STAGES = new Set(["$addFields", "$set", "$project", "$unset", "$replaceRoot", "$replaceWith"]);

/** An update pipeline over one document, its expressions evaluated by mingo; `_id` stays unless a stage changes it. */
function runPipeline(doc: Doc, pipeline: Doc[]): Doc | undefined {
  for (const stage of pipeline) {
    const names = Object.keys(stage);
    const name = names[0] ?? "";
    if (names.length !== 1)
      throw new CommandError(
        40323,
        "Location40323",
        "A pipeline stage specification object must contain exactly one field.",
      );
    if (!UPDATE_STAGES.has(name)) throw invalidOptions(`${name} is not allowed to be used within an update`);
  }
  let out: Doc | undefined;
  try {
    const aggregator = new Aggregator(pipeline, {
      context: storeContext,
      processingMode: ProcessingMode.CLONE_INPUT,
      useStrictMode: true,
    });
    // mingo's expressions compute with plain numbers only: fields the pipeline does not compute get
    // their stored values (and BSON types) back afterwards.
    const plain = plainNumbers(doc);
    out = aggregator.run<Doc>([plain])[0];
    const computed = computedFields(pipeline);
    if (out && computed) out = withStoredFields(out, plain, doc, computed);
  } catch (error) {
    throw badValue(error instanceof Error ? error.message : String(error));
  }
  if (!out) return undefined;
  const next = "_id" in out || !("_id" in doc) ? out : { _id: doc._id, ...out };
  return keyOf(next) === keyOf(doc) ? undefined : next;
}

/** The updated copy of `doc` (which stays untouched), or `undefined` when the update changes nothing. */
function runOperators(
  doc: Doc,
  update: UpdateSpec,
  filter: Doc,
  arrayFilters: Doc[] | undefined,
): Doc | undefined {
  if (Array.isArray(update)) return runPipeline(doc, update);
  if (Object.keys(update).length === 0) return undefined;
  checkRenames(doc, update);
  if (arrayFilters === undefined || arrayFilters.length === 0) {
    const fast = fastUpdate(doc, update);
    if (fast !== undefined) return fast.changed ? fast.doc : undefined;
  }
  checkArrayFilters(update, arrayFilters ?? []);
  // mingo updates in place: it gets a whole copy.
  const next = cloneDoc(doc);
  try {
    // mingo sees a conflict between any two paths under one array ("a.$.x" and "a.$.y"); MongoDB
    // only where one path contains the other. So the store checks that, and hands mingo one path at a time.
    // mingo checks the filter again before each step, against the document as the earlier steps
    // left it; MongoDB checks it once, before any. Only a positional `$` path needs the filter (to
    // find its element), so those steps go first and the rest run without it.
    const steps = singlePathUpdates(update, [filter, ...(arrayFilters ?? [])]);
    const ordered = [...steps.filter(isPositional), ...steps.filter((step) => !isPositional(step))];
    let changed = false;
    for (const step of ordered) {
      const condition = isPositional(step) ? filter : {};
      if (mingoUpdate(next, step as never, arrayFilters, condition, { cloneMode: "none" }).length > 0)
        changed = true;
    }
    return changed ? next : undefined;
  } catch (error) {
    if (error instanceof CommandError) throw error;
    const message = error instanceof Error ? error.message : String(error);
    const arithmetic = /^cannot apply (\$inc|\$mul) to a value of non-numeric type/i.exec(message);
    if (arithmetic) throw typeMismatch(`Cannot apply ${arithmetic[1]} to a value of non-numeric type`);
    throw badValue(message);
  }
}

/** `_id` may be "set" to its own value (mongoose does that) but never changed. */
function guardId(doc: Doc, update: Doc): void {
  for (const [op, fields] of Object.entries(update)) {
    if (op === "$setOnInsert" || !isPlainObject(fields)) continue;
    for (const [path, value] of Object.entries(fields)) {
      if (path !== "_id" && !path.startsWith("_id.")) continue;
      if (op === "$set" && path === "_id" && keyOf(value) === keyOf(doc._id)) continue;
      throw immutableField("_id");
    }
  }
}

/** The updated copy of `doc`, or `undefined` when the update changes nothing. */
export function applyUpdate(
  doc: Doc,
  update: UpdateSpec,
  filter: Doc,
  arrayFilters: Doc[] | undefined,
): Doc | undefined {
  validate(update);
  if (!isOperatorUpdate(update)) {
    const replacement: Doc = { _id: doc._id };
    for (const [k, v] of Object.entries(update as Doc)) if (k !== "_id") setOwn(replacement, k, cloneDoc(v));
    if ("_id" in (update as Doc) && keyOf((update as Doc)._id) !== keyOf(doc._id))
      throw immutableField("_id");
    return keyOf(replacement) === keyOf(doc) ? undefined : replacement;
  }
  if (!Array.isArray(update)) guardId(doc, update);
  const next = runOperators(doc, Array.isArray(update) ? update : forExisting(update), filter, arrayFilters);
  if (!next) return undefined;
  if (keyOf(next._id) !== keyOf(doc._id)) throw immutableField("_id");
  return next;
}

/** Equality fields of a filter, which seed the document an upsert inserts. */
function seedFromFilter(filter: Doc, into: Doc): void {
  for (const [key, value] of Object.entries(filter)) {
    if (key === "$and" && Array.isArray(value)) {
      for (const clause of value) if (isPlainObject(clause)) seedFromFilter(clause, into);
      continue;
    }
    if (key.startsWith("$")) continue;
    if (isPlainObject(value)) {
      const keys = Object.keys(value);
      if (keys.length > 0 && keys.every((k) => k.startsWith("$"))) {
        if ("$eq" in value) setPath(into, key, cloneDoc(value.$eq));
        continue;
      }
    }
    if (value instanceof RegExp) continue;
    setPath(into, key, cloneDoc(value));
  }
}

/** The document an upsert inserts when nothing matched. */
export function upsertDocument(filter: Doc, update: UpdateSpec, arrayFilters: Doc[] | undefined): Doc {
  validate(update);
  if (!isOperatorUpdate(update)) {
    const replacement = cloneDoc(update as Doc);
    const seed: Doc = {};
    seedFromFilter(filter, seed);
    const id = "_id" in replacement ? replacement._id : "_id" in seed ? seed._id : new ObjectId();
    const { _id: _drop, ...rest } = replacement;
    return { _id: id, ...rest };
  }
  const seed: Doc = {};
  seedFromFilter(filter, seed);
  const doc =
    runOperators(seed, Array.isArray(update) ? update : forInsert(update), {}, arrayFilters) ?? seed;
  return withIdFirst(doc);
}
