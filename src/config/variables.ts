import { z } from "zod";
import { parseDuration } from "../duration";

/**
 * One environment variable: the form it must take, and what a person reads when it is wrong. The
 * `expected` text names the form, never echoes the value (it may be a secret).
 */
export interface VariableSpec {
  schema: z.ZodType;
  expected: string;
}

export type VariableSpecs = Readonly<Record<string, VariableSpec>>;

export class ConfigError extends Error {
  constructor(
    readonly variable: string,
    readonly expected: string,
  ) {
    super(`config: ${variable} is not valid: expected ${expected}`);
    this.name = "ConfigError";
  }
}

/** Every variable of `specs` read from `env` and validated (an empty value counts as unset). */
export function readVariables(specs: VariableSpecs, env: NodeJS.ProcessEnv): Record<string, unknown> {
  const values: Record<string, unknown> = {};
  for (const [name, { schema, expected }] of Object.entries(specs)) {
    const value = env[name] === "" ? undefined : env[name];
    const result = schema.safeParse(value);
    if (!result.success) throw new ConfigError(name, expected);
    values[name] = result.data;
  }
  return values;
}

/** Two variables that only work together: true when both are set, a ConfigError when only one is. */
export function bothOrNeither(a: unknown, b: unknown, names: string): boolean {
  if (Boolean(a) !== Boolean(b))
    throw new ConfigError(names, "both set (the adapter needs both) or both unset");
  return Boolean(a && b);
}

export function httpUrl() {
  return z.string().refine((value) => /^https?:$/.test(safeUrl(value)?.protocol ?? ""));
}

function safeUrl(value: string): URL | undefined {
  try {
    return new URL(value);
  } catch {
    return undefined;
  }
}

export function secret() {
  return z.string().min(16).optional();
}

export function bool() {
  return z.enum(["true", "false", "1", "0"]).transform((v) => v === "true" || v === "1");
}

export function duration(fallback: string) {
  return z
    .string()
    .default(fallback)
    .transform((value, ctx) => {
      const ms = parseDuration(value);
      if (ms === undefined) ctx.addIssue({ code: "custom" });
      return ms ?? 0;
    });
}
