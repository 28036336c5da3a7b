import { readFileSync } from "node:fs";
import { join } from "node:path";
import { type CatalogEntry, catalogEntrySchema } from "./schema";

/** The demo catalog shipped with crowdcart, used when `CATALOG_FILE` is unset. */
export const DEMO_CATALOG_FILE = join(__dirname, "..", "..", "catalog", "demo-catalog.json");

export interface CatalogRejection {
  file: string;
  /** 1-based line where the entry starts (or where the JSON broke). */
  line: number;
  /** 1-based position in the array; 0 when the file as a whole is wrong. */
  entry: number;
  sku?: string;
  reason: string;
}

/** The catalog cannot be used; every rejection is listed, one per line. */
export class CatalogError extends Error {
  constructor(readonly rejections: CatalogRejection[]) {
    super(rejections.map(describeRejection).join("\n"));
    this.name = "CatalogError";
  }
}

export function describeRejection(r: CatalogRejection): string {
  const where = r.entry > 0 ? ` entry ${r.entry}${r.sku ? ` (${r.sku})` : ""}` : "";
  return `catalog: ${r.file}:${r.line}:${where} ${r.reason}`;
}

/**
 * Reads and validates a catalog file. All or nothing: one bad entry rejects the file, so a typo
 * never silently drops a product from sale; every problem is reported at once.
 */
export function loadCatalogFile(file: string = DEMO_CATALOG_FILE): CatalogEntry[] {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new CatalogError([{ file, line: 1, entry: 0, reason: `cannot read the file: ${reason}` }]);
  }
  return parseCatalog(text, file);
}

export function parseCatalog(text: string, file: string): CatalogEntry[] {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    const position = /position (\d+)/.exec(reason)?.[1];
    const line = position ? lineAt(text, Number(position)) : 1;
    throw new CatalogError([{ file, line, entry: 0, reason: `not valid JSON: ${reason}` }]);
  }
  if (!Array.isArray(data)) {
    throw new CatalogError([{ file, line: 1, entry: 0, reason: "expected a JSON array of products" }]);
  }
  const lines = entryLines(text);
  const rejections: CatalogRejection[] = [];
  const entries: CatalogEntry[] = [];
  const seen = new Map<string, number>();
  data.forEach((raw: unknown, index) => {
    const line = lines[index] ?? 1;
    const sku = typeof raw === "object" && raw !== null && "sku" in raw ? String(raw.sku) : undefined;
    const result = catalogEntrySchema.safeParse(raw);
    if (!result.success) {
      for (const issue of result.error.issues) {
        rejections.push({ file, line, entry: index + 1, sku, reason: issueText(issue) });
      }
      return;
    }
    const key = result.data.sku.toUpperCase();
    const first = seen.get(key);
    if (first !== undefined) {
      rejections.push({
        file,
        line,
        entry: index + 1,
        sku,
        reason: `sku: duplicates entry ${first} (SKUs are case-insensitive)`,
      });
      return;
    }
    seen.set(key, index + 1);
    entries.push(result.data);
  });
  if (rejections.length > 0) throw new CatalogError(rejections);
  return entries;
}

interface Issue {
  code: string;
  path: PropertyKey[];
  message: string;
  keys?: string[];
}

export function issueText(issue: Issue): string {
  if (issue.code === "unrecognized_keys" && issue.keys) {
    const at = issue.path.length > 0 ? ` in ${issue.path.join(".")}` : "";
    return `unknown field${issue.keys.length > 1 ? "s" : ""} ${issue.keys.map((k) => `"${k}"`).join(", ")}${at}`;
  }
  const path = issue.path.join(".");
  // Our own messages already start with the field name; zod's defaults do not.
  return path && !issue.message.startsWith(`${String(issue.path[0])}:`)
    ? `${path}: ${issue.message}`
    : issue.message;
}

function lineAt(text: string, offset: number): number {
  let line = 1;
  for (let i = 0; i < offset && i < text.length; i++) if (text[i] === "\n") line++;
  return line;
}

/** The line on which each top-level array element starts, found by a scan that skips strings. */
function entryLines(text: string): number[] {
  const lines: number[] = [];
  let depth = 0;
  let line = 1;
  let inString = false;
  let expectingElement = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === "\n") line++;
    if (inString) {
      if (c === "\\") i++;
      else if (c === '"') inString = false;
      continue;
    }
    if (c === " " || c === "\n" || c === "\r" || c === "\t") continue;
    if (depth === 1 && expectingElement && c !== "]") {
      lines.push(line);
      expectingElement = false;
    }
    if (c === '"') inString = true;
    else if (c === "[" || c === "{") {
      depth++;
      if (depth === 1) expectingElement = true;
    } else if (c === "]" || c === "}") depth--;
    else if (c === "," && depth === 1) expectingElement = true;
  }
  return lines;
}
