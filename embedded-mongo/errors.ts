import { ObjectId } from "bson";
import type { Doc } from "./bson-values";
import { bsonTypeOf } from "./query/bson-type";

/** A command failure as MongoDB reports it: `{ ok: 0, errmsg, code, codeName, ...extra }`. */
export class CommandError extends Error {
  constructor(
    readonly code: number,
    readonly codeName: string,
    message: string,
    readonly extra: Doc = {},
    readonly labels: string[] = [],
  ) {
    super(message);
  }

  toReply(): Doc {
    const reply: Doc = {
      ok: 0,
      errmsg: this.message,
      code: this.code,
      codeName: this.codeName,
      ...this.extra,
    };
    if (this.labels.length > 0) reply.errorLabels = this.labels;
    return reply;
  }
}

export const badValue = (message: string) => new CommandError(2, "BadValue", message);
export const failedToParse = (message: string) => new CommandError(9, "FailedToParse", message);
export const typeMismatch = (message: string) => new CommandError(14, "TypeMismatch", message);
/** A value the way MongoDB's error messages print it: `[ 1, 2 ]`, `{ a: "x" }`. */
export function shownValue(v: unknown): string {
  if (Array.isArray(v)) return v.length === 0 ? "[]" : `[ ${v.map(shownValue).join(", ")} ]`;
  if (v instanceof ObjectId) return `ObjectId('${v.toHexString()}')`;
  if (v instanceof Date) return `new Date(${v.getTime()})`;
  if (typeof v === "string") return JSON.stringify(v);
  if (v !== null && typeof v === "object" && Object.getPrototypeOf(v) === Object.prototype) {
    const entries = Object.entries(v);
    return entries.length === 0
      ? "{}"
      : `{ ${entries.map(([k, x]) => `${k}: ${shownValue(x)}`).join(", ")} }`;
  }
  return String(v);
}

/** `_id` the way MongoDB quotes it in update errors: `{_id: 1}`, `{_id: "a"}`, `{_id: ObjectId('…')}`. */
export function idText(id: unknown): string {
  return `{_id: ${shownValue(id)}}`;
}

export const nonNumeric = (op: string, id: unknown, field: string, value: unknown) =>
  typeMismatch(
    `Cannot apply ${op} to a value of non-numeric type. ${idText(id)} has the field '${field}' of non-numeric type ${bsonTypeOf(value)}`,
  );
export const namespaceNotFound = (ns: string) =>
  new CommandError(26, "NamespaceNotFound", `ns does not exist: ${ns}`);
export const namespaceExists = (ns: string) =>
  new CommandError(48, "NamespaceExists", `Collection ${ns} already exists.`);
export const pathNotViable = (message: string) => new CommandError(28, "PathNotViable", message);
export const invalidOptions = (message: string) => new CommandError(72, "InvalidOptions", message);
export const commandNotFound = (name: string) =>
  new CommandError(59, "CommandNotFound", `no such command: '${name}'`);
export const immutableField = (field: string) =>
  new CommandError(
    66,
    "ImmutableField",
    `Performing an update on the path '${field}' would modify the immutable field '${field}'`,
  );
export const cursorNotFound = (id: string) =>
  new CommandError(43, "CursorNotFound", `cursor id ${id} not found`);
export const noSuchTransaction = (txnNumber: string) =>
  new CommandError(
    251,
    "NoSuchTransaction",
    `Transaction with txnNumber ${txnNumber} has been aborted.`,
    {},
    ["TransientTransactionError"],
  );

/** A write that collides with an uncommitted transaction's write. Transaction writers may retry. */
export const writeConflict = (inTransaction: boolean) =>
  new CommandError(
    112,
    "WriteConflict",
    "Write conflict during plan execution and yielding is disabled. :: Please retry your operation or multi-document transaction.",
    {},
    inTransaction ? ["TransientTransactionError"] : [],
  );

export function duplicateKey(ns: string, indexName: string, keyPattern: Doc, keyValue: Doc): CommandError {
  const shown = Object.entries(keyValue)
    .map(([k, v]) => `${k}: ${JSON.stringify(v)}`)
    .join(", ");
  return new CommandError(
    11000,
    "DuplicateKey",
    `E11000 duplicate key error collection: ${ns} index: ${indexName} dup key: { ${shown} }`,
    { keyPattern, keyValue },
  );
}

export function asCommandError(error: unknown): CommandError {
  if (error instanceof CommandError) return error;
  const message = error instanceof Error ? error.message : String(error);
  return new CommandError(2, "BadValue", message);
}
