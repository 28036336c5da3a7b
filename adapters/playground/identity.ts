import type { UserIdentity } from "../../src/kernel";

const NAME = /^[A-Za-z0-9_.-]{1,32}$/;

/** A playground user is just a name; `@name` mentions it. Names are case-insensitive. */
export function playgroundIdentity(name: unknown): UserIdentity | undefined {
  if (typeof name !== "string") return undefined;
  const trimmed = name.trim().replace(/^@/, "");
  if (!NAME.test(trimmed)) return undefined;
  const id = trimmed.toLowerCase();
  return { platform: "playground", id, displayName: trimmed, username: id };
}

export const NAME_RULE = "1 to 32 letters, digits, dots, dashes or underscores";
