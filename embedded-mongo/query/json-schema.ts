import { compareValues, type Doc, isNumeric, isPlainObject, keyOf } from "../bson-values";
import { CommandError } from "../errors";
import { bsonTypeOf } from "./bson-type";

/**
 * `$jsonSchema` as MongoDB implements it (draft 4 plus `bsonType`, no `$ref`, `format` or
 * `integer`), for collection validators and queries. A schema is checked once when compiled, so
 * a bad one is refused where it is given rather than on every document.
 */

type Check = (value: unknown) => boolean;

const UNSUPPORTED = new Set(["$ref", "$schema", "default", "definitions", "format", "id"]);
const IGNORED = new Set(["title", "description"]);

const JSON_TYPES: Record<string, (v: unknown) => boolean> = {
  object: (v) => isPlainObject(v),
  array: Array.isArray,
  number: isNumeric,
  boolean: (v) => typeof v === "boolean",
  string: (v) => typeof v === "string",
  null: (v) => v === null,
};

const failedToParse = (message: string) => new CommandError(9, "FailedToParse", message);

function list(v: unknown): unknown[] {
  return Array.isArray(v) ? v : [v];
}

function typeCheck(keyword: string, spec: unknown): Check {
  const names = list(spec).map(String);
  if (keyword === "type") {
    const tests = names.map((name) => {
      const test = JSON_TYPES[name];
      if (!test) throw failedToParse(`Unknown type name alias: ${name}`);
      return test;
    });
    return (v) => tests.some((t) => t(v));
  }
  const wanted = new Set(names.flatMap((n) => (n === "number" ? ["int", "long", "double", "decimal"] : [n])));
  return (v) => wanted.has(bsonTypeOf(v));
}

function count(spec: unknown, keyword: string): number {
  if (typeof spec !== "number" || !Number.isInteger(spec) || spec < 0)
    throw failedToParse(`$jsonSchema keyword '${keyword}' must be a non-negative integer`);
  return spec;
}

/** Checks of one schema keyword; each applies only to values of the kind it is about, as JSON Schema says. */
function keywordCheck(keyword: string, spec: unknown, schema: Doc): Check | undefined {
  switch (keyword) {
    case "type":
    case "bsonType":
      return typeCheck(keyword, spec);
    case "enum": {
      const keys = new Set(list(spec).map(keyOf));
      return (v) => keys.has(keyOf(v));
    }
    case "minimum":
    case "maximum": {
      const exclusive = schema[keyword === "minimum" ? "exclusiveMinimum" : "exclusiveMaximum"] === true;
      const sign = keyword === "minimum" ? 1 : -1;
      return (v) => {
        if (!isNumeric(v)) return true;
        const c = compareValues(v, spec) * sign;
        return exclusive ? c > 0 : c >= 0;
      };
    }
    case "exclusiveMinimum":
    case "exclusiveMaximum":
      return undefined;
    case "minLength":
    case "maxLength": {
      const n = count(spec, keyword);
      return (v) =>
        typeof v !== "string" || (keyword === "minLength" ? [...v].length >= n : [...v].length <= n);
    }
    case "pattern": {
      const re = new RegExp(String(spec), "u");
      return (v) => typeof v !== "string" || re.test(v);
    }
    case "multipleOf":
      return (v) => typeof v !== "number" || Number.isInteger(v / Number(spec));
    case "required": {
      const fields = list(spec).map(String);
      return (v) => !isPlainObject(v) || fields.every((f) => Object.hasOwn(v, f));
    }
    case "minProperties":
    case "maxProperties": {
      const n = count(spec, keyword);
      return (v) =>
        !isPlainObject(v) ||
        (keyword === "minProperties" ? Object.keys(v).length >= n : Object.keys(v).length <= n);
    }
    case "properties":
    case "patternProperties":
    case "additionalProperties":
      return objectCheck(keyword, schema);
    case "dependencies": {
      if (!isPlainObject(spec)) throw failedToParse("$jsonSchema keyword 'dependencies' must be an object");
      const rules = Object.entries(spec).map(([field, dep]): [string, Check] => {
        if (Array.isArray(dep)) return [field, (v) => dep.every((d) => Object.hasOwn(v as Doc, String(d)))];
        return [field, compileSchema(dep)];
      });
      return (v) => !isPlainObject(v) || rules.every(([f, check]) => !Object.hasOwn(v, f) || check(v));
    }
    case "items":
    case "additionalItems":
      return itemsCheck(keyword, schema);
    case "minItems":
    case "maxItems": {
      const n = count(spec, keyword);
      return (v) => !Array.isArray(v) || (keyword === "minItems" ? v.length >= n : v.length <= n);
    }
    case "uniqueItems":
      return (v) => spec !== true || !Array.isArray(v) || new Set(v.map(keyOf)).size === v.length;
    case "allOf":
    case "anyOf":
    case "oneOf": {
      const subs = list(spec).map(compileSchema);
      if (keyword === "allOf") return (v) => subs.every((s) => s(v));
      if (keyword === "anyOf") return (v) => subs.some((s) => s(v));
      return (v) => subs.filter((s) => s(v)).length === 1;
    }
    case "not": {
      const sub = compileSchema(spec);
      return (v) => !sub(v);
    }
  }
  if (IGNORED.has(keyword)) return undefined;
  if (UNSUPPORTED.has(keyword))
    throw failedToParse(`$jsonSchema keyword '${keyword}' is not currently supported`);
  throw failedToParse(`Unknown $jsonSchema keyword: ${keyword}`);
}

function objectCheck(keyword: string, schema: Doc): Check | undefined {
  // properties / patternProperties / additionalProperties are decided together, once.
  if (
    keyword !== "properties" &&
    ("properties" in schema || (keyword === "additionalProperties" && "patternProperties" in schema))
  )
    return undefined;
  const properties = isPlainObject(schema.properties) ? schema.properties : {};
  const named = Object.entries(properties).map(([f, s]): [string, Check] => [f, compileSchema(s)]);
  const patterns = isPlainObject(schema.patternProperties)
    ? Object.entries(schema.patternProperties).map(([p, s]): [RegExp, Check] => [
        new RegExp(p, "u"),
        compileSchema(s),
      ])
    : [];
  const extra = schema.additionalProperties;
  const extraCheck: Check | undefined =
    extra === false ? () => false : isPlainObject(extra) ? compileSchema(extra) : undefined;
  return (v) => {
    if (!isPlainObject(v)) return true;
    for (const [field, check] of named) if (Object.hasOwn(v, field) && !check(v[field])) return false;
    for (const [field, value] of Object.entries(v)) {
      let covered = Object.hasOwn(properties, field);
      for (const [re, check] of patterns) {
        if (!re.test(field)) continue;
        covered = true;
        if (!check(value)) return false;
      }
      if (!covered && extraCheck && !extraCheck(value)) return false;
    }
    return true;
  };
}

function itemsCheck(keyword: string, schema: Doc): Check | undefined {
  if (keyword === "additionalItems" && "items" in schema) return undefined;
  const items = schema.items;
  if (!Array.isArray(items)) {
    if (items === undefined) return undefined;
    const each = compileSchema(items);
    return (v) => !Array.isArray(v) || v.every(each);
  }
  const positional = items.map(compileSchema);
  const more = schema.additionalItems;
  const rest: Check | undefined =
    more === false ? () => false : isPlainObject(more) ? compileSchema(more) : undefined;
  return (v) => {
    if (!Array.isArray(v)) return true;
    return v.every((x, i) => {
      const check = positional[i] ?? rest;
      return !check || check(x);
    });
  };
}

/** A predicate for one schema; throws FailedToParse for a schema MongoDB would refuse. */
export function compileSchema(schema: unknown): Check {
  if (!isPlainObject(schema)) throw failedToParse("$jsonSchema must be an object");
  const checks: Check[] = [];
  for (const [keyword, spec] of Object.entries(schema)) {
    const check = keywordCheck(keyword, spec, schema);
    if (check) checks.push(check);
  }
  return (v) => checks.every((check) => check(v));
}

/** The `$jsonSchema` query operator, registered with mingo beside the store's other operators. */
export function jsonSchemaOperator(_selector: string, schema: unknown) {
  const check = compileSchema(schema);
  return (doc: Doc) => check(doc);
}
