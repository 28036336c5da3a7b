import { Context } from "mingo";
import { Lazy } from "mingo/lazy";
import * as accumulatorOperators from "mingo/operators/accumulator";
import * as expressionOperators from "mingo/operators/expression";
import * as pipelineOperators from "mingo/operators/pipeline";
import * as projectionOperators from "mingo/operators/projection";
import * as queryOperators from "mingo/operators/query";
import * as windowOperators from "mingo/operators/window";
import { Query } from "mingo/query";
import type { Options } from "mingo/types";
import { resolve } from "mingo/util";
import {
  compareValues,
  type Doc,
  inDocumentOrder,
  isNumeric,
  isPlainObject,
  keyOf,
  plainNumbers,
  typeRank,
  valuesEqual,
} from "../bson-values";
import { CommandError } from "../errors";
import { bitwiseOperators } from "./bitwise";
import { typeMatcher } from "./bson-type";
import { collated, collationOf } from "./collation";
import { jsonSchemaOperator } from "./json-schema";
import { mongoParseError, refuseUnsupported } from "./refused";
import { sortDocs } from "./sort";

/**
 * mingo does the query language; the comparison operators are replaced with ones built on
 * MongoDB's BSON ordering, because mingo compares Decimal128 and Long by their string form and
 * never treats int, double, Long and Decimal128 as the same kind of value.
 */

type Predicate = (lhs: unknown, rhs: unknown) => boolean;

function equalsOne(lhs: unknown, rhs: unknown): boolean {
  if (rhs instanceof RegExp) return typeof lhs === "string" && rhs.test(lhs);
  return valuesEqual(lhs, rhs);
}

function eq(lhs: unknown, rhs: unknown): boolean {
  if (equalsOne(lhs, rhs)) return true;
  if (Array.isArray(lhs)) {
    for (const x of lhs) {
      if (equalsOne(x, rhs)) return true;
      if (Array.isArray(x) && x.some((y) => equalsOne(y, rhs))) return true;
    }
  }
  return false;
}

function inList(lhs: unknown, rhs: unknown): boolean {
  if (!Array.isArray(rhs)) return false;
  return rhs.some((v) => eq(lhs, v));
}

function comparing(test: (c: number) => boolean): Predicate {
  const one = (x: unknown, rhs: unknown) => {
    const rx = typeRank(x);
    const rr = typeRank(rhs);
    // MongoDB compares only within a type bracket (plus MinKey/MaxKey), so 5 never is "> null".
    if (rx !== rr && rr !== 0 && rr !== 100) return false;
    return test(compareValues(x, rhs));
  };
  return (lhs, rhs) => {
    if (Array.isArray(lhs)) {
      if (Array.isArray(rhs) && one(lhs, rhs)) return true;
      return lhs.some((x) => one(x, rhs));
    }
    return one(lhs, rhs);
  };
}

/**
 * The values a dotted query path reaches, MongoDB's way: an array on the way is entered only
 * through its object elements (or an index), so `{ "a.b": null }` matches `{ a: 4 }` and
 * `{ a: [{}] }` but not `{ a: [] }` or `{ a: [1] }`; a scalar on the way is a missing field.
 */
export function queryValues(doc: unknown, path: string): unknown[] {
  const out: unknown[] = [];
  walkQuery(doc, path.split("."), 0, out);
  return out;
}

function walkQuery(v: unknown, parts: string[], i: number, out: unknown[]): void {
  if (i === parts.length) {
    out.push(v);
    return;
  }
  const part = parts[i] as string;
  if (isPlainObject(v)) {
    walkQuery(Object.hasOwn(v, part) ? v[part] : undefined, parts, i + 1, out);
  } else if (Array.isArray(v)) {
    if (/^\d+$/.test(part)) walkQuery(v[Number(part)], parts, i + 1, out);
    for (const x of v)
      if (isPlainObject(x)) walkQuery(Object.hasOwn(x, part) ? x[part] : undefined, parts, i + 1, out);
  } else out.push(undefined);
}

/**
 * Whether a field of `doc` satisfies `predicate` against `operand`, for top-level and dotted fields
 * alike (own fields only: `__proto__` is a field name like any other). `$ne`, `$nin` and
 * `$exists: false` hold when their positive twin holds for none of the values.
 */
function fieldMatches(
  doc: Doc,
  field: string,
  dotted: boolean,
  predicate: Predicate,
  operand: unknown,
): boolean {
  const negate = predicate === ne || predicate === nin || (predicate === exists && !operand);
  const positive = predicate === ne ? eq : predicate === nin ? inList : predicate;
  let any = false;
  if (!dotted) any = positive(Object.hasOwn(doc, field) ? doc[field] : undefined, operand);
  else {
    for (const v of queryValues(doc, field)) {
      if (positive(v, operand)) {
        any = true;
        break;
      }
    }
  }
  return negate ? !any : any;
}

function operator(predicate: Predicate) {
  return (selector: string, value: unknown, _options: Options) => {
    const dotted = selector.includes(".");
    return (obj: Doc) => fieldMatches(obj, selector, dotted, predicate, value);
  };
}

function typeOperator(selector: string, value: unknown, _options: Options) {
  const test = typeMatcher(value);
  const parts = selector.split(".");
  return (obj: Doc) => {
    if (parts.length === 1) return test(obj[selector], Object.hasOwn(obj, selector));
    const resolved = resolve(obj, selector, { unwrapArray: true });
    return test(resolved, resolved !== undefined);
  };
}

const exists: Predicate = (l) => l !== undefined;
const ne: Predicate = (l, r) => !eq(l, r);
const nin: Predicate = (l, r) => !inList(l, r);

/** The comparison operators, shared by mingo (below) and the direct matcher, so both decide alike. */
const comparisons: Record<string, Predicate> = {
  $eq: eq,
  $ne: ne,
  $in: inList,
  $nin: nin,
  $exists: exists,
  $gt: comparing((c) => c > 0),
  $gte: comparing((c) => c >= 0),
  $lt: comparing((c) => c < 0),
  $lte: comparing((c) => c <= 0),
};

type QueryOperator = (selector: string, value: unknown, options: Options) => (obj: Doc) => boolean;

/** `$all`: every listed value matches as `{ field: value }` would, so a lone non-array value can match. */
function allOperator(selector: string, value: unknown, options: Options): (obj: Doc) => boolean {
  if (!Array.isArray(value)) throw new CommandError(2, "BadValue", "$all needs an array");
  // `$all: [{ $elemMatch: … }]` stays with mingo's own operator.
  if (value.some((v) => isPlainObject(v) && "$elemMatch" in v))
    return (queryOperators.$all as unknown as QueryOperator)(selector, value, options);
  const dotted = selector.includes(".");
  return (obj: Doc) => value.length > 0 && value.every((v) => fieldMatches(obj, selector, dotted, eq, v));
}

/** mingo's `$expr` over plain numbers: its expression operators compute with JavaScript numbers only. */
function exprOperator(selector: string, value: unknown, options: Options): (obj: Doc) => boolean {
  const test = (queryOperators.$expr as unknown as QueryOperator)(selector, value, options);
  return (obj) => test(plainNumbers(obj));
}

/** `$mod: [divisor, remainder]` over numbers of every BSON type (the remainder of the truncated value). */
function modOperator(selector: string, value: unknown, _options: Options): (obj: Doc) => boolean {
  if (!Array.isArray(value) || value.length !== 2)
    throw new CommandError(2, "BadValue", "malformed mod, needs to be an array");
  const [divisor, remainder] = value.map((v) => Math.trunc(Number(v))) as [number, number];
  if (!Number.isFinite(divisor) || divisor === 0)
    throw new CommandError(2, "BadValue", "divisor cannot be 0");
  const test = (v: unknown) => {
    if (!isNumeric(v)) return false;
    const n = Math.trunc(Number(v));
    return Number.isFinite(n) && n % divisor === remainder;
  };
  const dotted = selector.includes(".");
  return (obj) =>
    fieldMatches(obj, selector, dotted, (v) => (Array.isArray(v) ? v.some(test) : test(v)), undefined);
}

const queryOps: Record<string, unknown> = {
  $expr: exprOperator,
  $mod: modOperator,
  $type: typeOperator,
  $jsonSchema: jsonSchemaOperator,
  $all: allOperator,
  ...bitwiseOperators,
};
for (const [name, predicate] of Object.entries(comparisons)) queryOps[name] = operator(predicate);

// Context.from keeps the first definition of a name, so the full set is assembled here by hand.
/**
 * `$max` and `$min` (the `$group` accumulators, and the expressions over a list, which use them)
 * skip null and missing values and compare in BSON order; mingo's sort puts a missing value last,
 * so the `$max` of a missing field and a number came out null.
 */
function extremum(sign: 1 | -1) {
  return (collection: Doc[], expr: unknown, options: Options): unknown => {
    let best: unknown;
    for (const value of accumulatorOperators.$push(collection, expr, options)) {
      if (value === null || value === undefined) continue;
      if (best === undefined || sign * compareValues(value, best) > 0) best = value;
    }
    return best ?? null;
  };
}

type Stage = (coll: unknown, spec: Doc, options: Options) => { collect(): Doc[] };

/**
 * `$group` under a collation: documents whose group keys the collation calls equal form one group
 * (its `_id` the first of those keys), each group then run through mingo's `$group`.
 */
function collatedGroups(docs: Doc[], spec: Doc, options: Options, key: (s: string) => string): Doc[] {
  // Each document's group key, by mingo's own expressions ($let so that a constant stays a constant).
  const keys = (pipelineOperators.$project as unknown as Stage)(
    Lazy(docs),
    { _id: 0, id: { $let: { vars: {}, in: spec._id } } },
    options,
  ).collect();
  const groups = new Map<string, { id: unknown; members: Doc[] }>();
  for (const [i, doc] of docs.entries()) {
    const id = keys[i]?.id ?? null;
    const collatedKey = keyOf(collated(id, key));
    const group = groups.get(collatedKey);
    if (group) group.members.push(doc);
    else groups.set(collatedKey, { id, members: [doc] });
  }
  return [...groups.values()].flatMap(({ id, members }) =>
    (pipelineOperators.$group as unknown as Stage)(
      Lazy(members),
      { ...spec, _id: { $literal: id } },
      options,
    ).collect(),
  );
}

export const storeContext = Context.init({
  accumulator: { ...accumulatorOperators, $max: extremum(1), $min: extremum(-1) } as never,
  expression: expressionOperators as never,
  // $sort by BSON order too (mingo's own compare misorders Decimal128 and large Longs), with strings
  // compared by the command's collation when it has one; $match and $group by that collation's keys;
  // $project in the document's field order.
  pipeline: {
    ...pipelineOperators,
    $sort: (coll: { collect(): Doc[] }, spec: Doc, options: Options) =>
      Lazy(sortDocs(coll.collect(), spec, (d) => d, collationOf(options.collation))),
    $project: (coll: { collect(): Doc[] }, spec: Doc, options: Options) => {
      const input = coll.collect();
      const out = pipelineOperators.$project(Lazy(input), spec, options).collect() as Doc[];
      return Lazy(out.map((doc, i) => inDocumentOrder(doc, input[i] as Doc, spec)));
    },
    $group: (coll: { collect(): Doc[] }, spec: Doc, options: Options) => {
      const key = collationOf(options.collation)?.key;
      // Without an _id the spec is mingo's to refuse.
      if (!key || !("_id" in spec))
        return (pipelineOperators.$group as unknown as Stage)(coll, spec, options);
      return Lazy(collatedGroups(coll.collect(), spec, options, key));
    },
    $match: (coll: { collect(): Doc[] }, filter: Doc, options: Options) => {
      const key = collationOf(options.collation)?.key;
      // An $expr reads the pipeline's variables ($lookup's let), which only reach mingo through the
      // stage's options; expressions compare strings in binary order, so it runs on the document as
      // stored. One nested in $and/$or/$nor leaves the whole filter to mingo.
      const { $expr, ...fields } = filter;
      if (!key || nestsExpr(fields)) return pipelineOperators.$match(coll as never, filter, options);
      const match = compileCollatedFilter(fields, key);
      if ($expr === undefined) return Lazy(coll.collect().filter(match));
      const expr = new Query({ $expr }, options);
      return Lazy(coll.collect().filter((doc) => match(doc) && expr.test(doc)));
    },
  } as never,
  projection: projectionOperators as never,
  query: { ...queryOperators, ...queryOps } as never,
  window: windowOperators as never,
});

/** Whether a filter's $and/$or/$nor branches hold an $expr anywhere. */
function nestsExpr(filter: Doc): boolean {
  return ["$and", "$or", "$nor"].some((op) => {
    const branches = filter[op];
    return (
      Array.isArray(branches) && branches.some((b) => isPlainObject(b) && ("$expr" in b || nestsExpr(b)))
    );
  });
}

export type Matcher = (doc: Doc) => boolean;

const matchAll: Matcher = () => true;

/**
 * One top-level field of a filter the store matches itself: an equality on a plain value, or
 * comparison operators, each applied to the value mingo's operator would have resolved; or a
 * `$and` / `$or` / `$nor` over sub-filters made of such clauses.
 */
interface Clause {
  field: string;
  dotted: boolean;
  /** Set for `{ field: value }` equality in an all-equality filter; unset when `ops` decide. */
  equals: boolean;
  value: unknown;
  ops: Array<[Predicate, unknown]>;
  /** For `$and` / `$or` / `$nor` (in `field`): the clauses of each sub-filter. */
  branches: Clause[][] | undefined;
}

const LOGICAL = new Set(["$and", "$or", "$nor"]);

function isSimpleValue(value: unknown): boolean {
  if (value instanceof RegExp || Array.isArray(value) || isPlainObject(value)) return false;
  return value === null || typeof value !== "object" || "_bsontype" in value || value instanceof Date;
}

/**
 * Most filters the app sends are field equalities (`{ _id }`, `{ email }`, `{ groupId, userId }`),
 * comparisons (`{ _id, version, expiresAt: { $gt: now } }`) and `$and`/`$or` of those (the outbox
 * claim): those are matched here directly. Building a mingo query copies every operator table,
 * which cost more than the command itself. A filter of equalities only keeps its own matching;
 * in any other filter each field is decided exactly as mingo would with the store's operators
 * (`{ f: v }` as `$eq`, sub-filters as their own queries).
 */
function directClauses(filter: Doc, nested: boolean): Clause[] | undefined {
  const clauses: Clause[] = [];
  let equalitiesOnly = !nested;
  for (const [field, value] of Object.entries(filter)) {
    if (field.startsWith("$")) {
      // mingo refuses a non-array or an array holding a non-object: leave those to it.
      if (!LOGICAL.has(field) || !Array.isArray(value) || !value.every(isPlainObject)) return undefined;
      const branches: Clause[][] = [];
      for (const sub of value) {
        const subClauses = directClauses(sub, true);
        if (!subClauses) return undefined;
        branches.push(subClauses);
      }
      equalitiesOnly = false;
      clauses.push({ field, dotted: false, equals: false, value: undefined, ops: [], branches });
      continue;
    }
    const dotted = field.includes(".");
    if (isSimpleValue(value)) {
      clauses.push({ field, dotted, equals: true, value, ops: [[eq, value]], branches: undefined });
      continue;
    }
    if (!isPlainObject(value)) return undefined;
    if (!Object.keys(value).some((k) => k.startsWith("$"))) {
      // `{ field: { …document } }` is equality with that whole document.
      equalitiesOnly = false;
      clauses.push({
        field,
        dotted,
        equals: false,
        value: undefined,
        ops: [[eq, value]],
        branches: undefined,
      });
      continue;
    }
    const ops: Array<[Predicate, unknown]> = [];
    for (const [op, operand] of Object.entries(value)) {
      const predicate = Object.hasOwn(comparisons, op) ? comparisons[op] : undefined;
      if (!predicate) return undefined;
      ops.push([predicate, operand]);
    }
    if (ops.length === 0) return undefined;
    equalitiesOnly = false;
    clauses.push({ field, dotted, equals: false, value: undefined, ops, branches: undefined });
  }
  if (!equalitiesOnly) for (const clause of clauses) clause.equals = false;
  return clauses;
}

function matchAllClauses(clauses: Clause[], doc: Doc): boolean {
  for (const clause of clauses) if (!matchClause(clause, doc)) return false;
  return true;
}

function matchClause(clause: Clause, doc: Doc): boolean {
  const branches = clause.branches;
  if (branches) {
    if (clause.field === "$and") {
      for (const branch of branches) if (!matchAllClauses(branch, doc)) return false;
      return true;
    }
    let any = false;
    for (const branch of branches) {
      if (matchAllClauses(branch, doc)) {
        any = true;
        break;
      }
    }
    return clause.field === "$or" ? any : !any;
  }
  if (clause.equals && !clause.dotted)
    return eq(Object.hasOwn(doc, clause.field) ? doc[clause.field] : undefined, clause.value);
  // Exactly what the operators registered with mingo compute (see `operator` above).
  for (const [predicate, operand] of clause.ops)
    if (!fieldMatches(doc, clause.field, clause.dotted, predicate, operand)) return false;
  return true;
}

export function compileFilter(filter: Doc | undefined): Matcher {
  if (!filter || Object.keys(filter).length === 0) return matchAll;
  const clauses = directClauses(filter, false);
  if (clauses) return (doc) => matchAllClauses(clauses, doc);
  return compileWithMingo(filter);
}

/** A filter whose strings compare by a collation's keys, on documents' strings turned into the same keys. */
export function compileCollatedFilter(filter: Doc | undefined, key: (s: string) => string): Matcher {
  const match = compileFilter(collated(filter, key));
  return (doc) => match(collated(doc, key));
}

/** The general path: any filter through mingo (exported so tests can hold the direct matcher to it). */
export function compileWithMingo(filter: Doc): Matcher {
  refuseUnsupported(filter);
  let query: Query;
  try {
    query = new Query(filter, { context: storeContext, useStrictMode: true });
  } catch (error) {
    throw mongoParseError(error);
  }
  return (doc) => query.test(doc);
}
