import { isPlainObject } from "../bson-values";

/** `$type` by MongoDB's names and numbers, over values as `bson` deserializes them. */

const NUMBERS: Record<number, string> = {
  1: "double",
  2: "string",
  3: "object",
  4: "array",
  5: "binData",
  6: "undefined",
  7: "objectId",
  8: "bool",
  9: "date",
  10: "null",
  11: "regex",
  13: "javascript",
  16: "int",
  17: "timestamp",
  18: "long",
  19: "decimal",
  [-1]: "minKey",
  127: "maxKey",
};

const NUMERIC = new Set(["double", "int", "long", "decimal"]);

export function bsonTypeOf(v: unknown): string {
  if (v === null) return "null";
  if (v === undefined) return "undefined";
  switch (typeof v) {
    case "number":
      return Number.isInteger(v) && v >= -2147483648 && v <= 2147483647 ? "int" : "double";
    case "bigint":
      return "long";
    case "string":
      return "string";
    case "boolean":
      return "bool";
  }
  if (Array.isArray(v)) return "array";
  if (v instanceof Date) return "date";
  if (v instanceof RegExp) return "regex";
  if (isPlainObject(v)) return "object";
  const name = String((v as { _bsontype?: unknown })._bsontype ?? "");
  switch (name) {
    case "ObjectId":
    case "ObjectID":
      return "objectId";
    case "Long":
      return "long";
    case "Decimal128":
      return "decimal";
    case "Int32":
      return "int";
    case "Double":
      return "double";
    case "Binary":
      return "binData";
    case "Timestamp":
      return "timestamp";
    case "BSONRegExp":
      return "regex";
    case "Code":
      return "javascript";
    case "MinKey":
      return "minKey";
    case "MaxKey":
      return "maxKey";
  }
  return "object";
}

function wanted(spec: unknown): Set<string> {
  const list = Array.isArray(spec) ? spec : [spec];
  const out = new Set<string>();
  for (const item of list) {
    const name = typeof item === "number" ? NUMBERS[item] : String(item);
    if (name === "number") for (const n of NUMERIC) out.add(n);
    else if (name) out.add(name);
  }
  return out;
}

/** A `$type` predicate: the value itself, or any element of an array value, has one of the types. */
export function typeMatcher(spec: unknown): (value: unknown, present: boolean) => boolean {
  const types = wanted(spec);
  return (value, present) => {
    if (!present) return false;
    if (types.has(bsonTypeOf(value))) return true;
    return Array.isArray(value) && value.some((x) => types.has(bsonTypeOf(x)));
  };
}
