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
import { compareValues, type Doc, isPlainObject, pathValues, typeRank, valuesEqual } from "../bson-values";
import { typeMatcher } from "./bson-type";
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

function operator(predicate: Predicate) {
  return (selector: string, value: unknown, _options: Options) => (obj: Doc) =>
    predicate(resolve(obj, selector, { unwrapArray: true }), value);
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

const queryOps = {
  $type: typeOperator,
  $eq: operator(eq),
  $ne: operator((l, r) => !eq(l, r)),
  $in: operator(inList),
  $nin: operator((l, r) => !inList(l, r)),
  $gt: operator(comparing((c) => c > 0)),
  $gte: operator(comparing((c) => c >= 0)),
  $lt: operator(comparing((c) => c < 0)),
  $lte: operator(comparing((c) => c <= 0)),
};

// Context.from keeps the first definition of a name, so the full set is assembled here by hand.
export const storeContext = Context.init({
  accumulator: accumulatorOperators as never,
  expression: expressionOperators as never,
  // $sort by BSON order too (mingo's own compare misorders Decimal128 and large Longs).
  pipeline: {
    ...pipelineOperators,
    $sort: (coll: { collect(): Doc[] }, spec: Doc) => Lazy(sortDocs(coll.collect(), spec, (d) => d)),
  } as never,
  projection: projectionOperators as never,
  query: { ...queryOperators, ...queryOps } as never,
  window: windowOperators as never,
});

export type Matcher = (doc: Doc) => boolean;

const matchAll: Matcher = () => true;

/**
 * Most filters the app sends are field equalities (`{ _id }`, `{ email }`, `{ groupId, userId }`):
 * those are matched here directly, without compiling a mingo query per command.
 */
function simpleEqualities(filter: Doc): Matcher | undefined {
  const pairs: Array<[string, unknown]> = [];
  for (const [field, value] of Object.entries(filter)) {
    if (field.startsWith("$")) return undefined;
    if (value instanceof RegExp || Array.isArray(value) || isPlainObject(value)) return undefined;
    if (value !== null && typeof value === "object" && !("_bsontype" in value) && !(value instanceof Date)) {
      return undefined;
    }
    pairs.push([field, value]);
  }
  return (doc) => {
    for (const [field, value] of pairs) {
      if (!field.includes(".")) {
        if (!eq(doc[field], value)) return false;
      } else if (!pathValues(doc, field).some((v) => valuesEqual(v, value))) return false;
    }
    return true;
  };
}

export function compileFilter(filter: Doc | undefined): Matcher {
  if (!filter || Object.keys(filter).length === 0) return matchAll;
  const simple = simpleEqualities(filter);
  if (simple) return simple;
  const query = new Query(filter, { context: storeContext, useStrictMode: true });
  return (doc) => query.test(doc);
}
