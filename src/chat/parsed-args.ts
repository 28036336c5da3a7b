import type { UserIdentity } from "../kernel";

/** A parsed value: text kinds stay strings, integers and durations (ms) are numbers. */
export type ArgValue = string | number | UserIdentity[];

/** The typed arguments a handler reads; names are the ArgSpec names. */
export class ParsedArgs {
  constructor(private readonly values: ReadonlyMap<string, ArgValue>) {}

  string(name: string): string | undefined {
    const value = this.values.get(name);
    return typeof value === "string" ? value : undefined;
  }

  /** A required argument: the parser already refused the command when it was missing. */
  requiredString(name: string): string {
    const value = this.string(name);
    if (value === undefined) throw new Error(`argument ${name} was declared required but is missing`);
    return value;
  }

  number(name: string): number | undefined {
    const value = this.values.get(name);
    return typeof value === "number" ? value : undefined;
  }

  mentions(name: string): UserIdentity[] {
    const value = this.values.get(name);
    return Array.isArray(value) ? value : [];
  }

  has(name: string): boolean {
    return this.values.has(name);
  }
}
