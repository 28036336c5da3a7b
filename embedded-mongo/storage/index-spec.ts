import { type Doc, isPlainObject, keyOf, pathValues } from "../bson-values";
import { badValue } from "../errors";
import { compileFilter, type Matcher } from "../query/matcher";

/**
 * One index: its definition as listIndexes shows it, and an in-memory map from key to the ids of
 * the documents holding it. Equality lookups and unique checks are map reads, never scans.
 */
export class IndexSpec {
  readonly name: string;
  readonly key: Doc;
  readonly fields: string[];
  readonly unique: boolean;
  readonly sparse: boolean;
  readonly partialFilter: Doc | undefined;
  /** Changed in place by collMod, like MongoDB's. */
  expireAfterSeconds: number | undefined;
  /** Special (text, 2dsphere, hashed) indexes are accepted and listed but not maintained. */
  readonly special: boolean;
  readonly options: Doc;
  private readonly partialMatch: Matcher | undefined;
  /** Key to holder: one id (the usual case, and always so for unique indexes) or a set of them. */
  private readonly entries = new Map<string, string | Set<string>>();

  constructor(spec: Doc) {
    if (!isPlainObject(spec.key) || Object.keys(spec.key).length === 0)
      throw badValue("index key must be a non-empty object");
    if (typeof spec.name !== "string" || spec.name === "")
      throw badValue("index name must be a non-empty string");
    this.name = spec.name;
    this.key = spec.key;
    this.fields = Object.keys(spec.key);
    this.special = Object.values(spec.key).some((v) => typeof v === "string");
    this.unique = spec.unique === true || this.name === "_id_";
    this.sparse = spec.sparse === true;
    this.partialFilter = isPlainObject(spec.partialFilterExpression)
      ? spec.partialFilterExpression
      : undefined;
    this.partialMatch = this.partialFilter ? compileFilter(this.partialFilter) : undefined;
    this.expireAfterSeconds =
      typeof spec.expireAfterSeconds === "number" ? spec.expireAfterSeconds : undefined;
    const { v: _v, key: _k, name: _n, ns: _ns, ...options } = spec;
    this.options = options;
  }

  /** collMod's TTL change: the index keeps its entries, only its expiry (and its listed options) change. */
  setExpireAfterSeconds(seconds: number): void {
    this.expireAfterSeconds = seconds;
    this.options.expireAfterSeconds = seconds;
  }

  describe(): Doc {
    return { v: 2, key: this.key, name: this.name, ...this.options };
  }

  /** The keys a document contributes, or none when sparse/partial leave it out. */
  keysOf(doc: Doc): string[] {
    if (this.special) return [];
    if (this.partialMatch && !this.partialMatch(doc)) return [];
    const fields = this.fields;
    if (fields.length === 1) {
      // Every write computes these for every index: the one-field, one-value case allocates nothing more.
      const values = pathValues(doc, fields[0] as string);
      if (values.length === 1) {
        const value = values[0];
        return this.sparse && value === undefined ? [] : [keyOf(value)];
      }
      if (this.sparse && values.every((v) => v === undefined)) return [];
      return values.length === 0 ? ["z"] : [...new Set(values.map(keyOf))];
    }
    const perField = fields.map((field) => pathValues(doc, field));
    if (this.sparse && perField.every((values) => values.every((v) => v === undefined))) return [];
    let keys = [""];
    for (const values of perField) {
      const parts = values.length === 0 ? ["z"] : [...new Set(values.map(keyOf))];
      const next: string[] = [];
      for (const prefix of keys)
        for (const part of parts) next.push(prefix === "" ? part : `${prefix}|${part}`);
      keys = next;
    }
    return keys;
  }

  /** The `keyValue` of a duplicate-key error. */
  keyValue(doc: Doc): Doc {
    const out: Doc = {};
    for (const field of this.fields) {
      const values = pathValues(doc, field);
      out[field] = values.length === 1 ? (values[0] ?? null) : values;
    }
    return out;
  }

  add(id: string, keys: string[]): void {
    for (const key of keys) {
      const held = this.entries.get(key);
      if (held === undefined) this.entries.set(key, id);
      else if (typeof held === "string") {
        if (held !== id) this.entries.set(key, new Set([held, id]));
      } else held.add(id);
    }
  }

  remove(id: string, keys: string[]): void {
    for (const key of keys) {
      const held = this.entries.get(key);
      if (held === undefined) continue;
      if (typeof held === "string") {
        if (held === id) this.entries.delete(key);
      } else {
        held.delete(id);
        if (held.size === 1) this.entries.set(key, held.values().next().value as string);
      }
    }
  }

  /** Ids holding `key` (empty when none). */
  lookup(key: string): Iterable<string> {
    const held = this.entries.get(key);
    if (held === undefined) return [];
    return typeof held === "string" ? [held] : held;
  }

  /** Whether an equality lookup on every field of this index finds every matching document. */
  usableForEquality(): boolean {
    return !this.special && !this.partialFilter;
  }

  clear(): void {
    this.entries.clear();
  }
}
