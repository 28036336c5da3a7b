import { type UserError, userError } from "../engine/errors";
import { checkValue } from "./arg-types";
import type { ArgSpec, CommandDefinition, SubcommandDefinition } from "./command";
import type { MentionRef } from "./mentions";
import { type Token, tokenize } from "./tokenize";
import { expected, subcommandUsage, usageLine } from "./usage";

/** A command line checked against its definition; mentions still need resolving to people. */
export interface ParsedCommand {
  subcommand?: SubcommandDefinition;
  values: Map<string, string | number>;
  mentions: Map<string, MentionRef[]>;
  /** The usage line that fits what was typed, for errors found later (e.g. an unknown mention). */
  usage: string;
}

/** Recognises a word as a mention (platform-specific), or not. */
export type MentionSyntax = (word: string) => MentionRef | undefined;

/** Parses the text typed after `/command` (Slack, Telegram, playground). */
export function parseText(command: CommandDefinition, text: string, mention: MentionSyntax): ParsedCommand {
  let usage = usageLine(command);
  const tokens = tokenize(text, usage);
  let subcommand: SubcommandDefinition | undefined;
  let specs = command.args ?? [];
  if (command.subcommands) {
    const first = tokens[0];
    const named = first?.plain && !first.key ? findSubcommand(command, first.value) : undefined;
    if (named) tokens.shift();
    else if (first && !(first.key && command.defaultSubcommand))
      throw unknownSubcommand(command, first.value);
    subcommand = named ?? findSubcommand(command, command.defaultSubcommand ?? "");
    if (!subcommand) throw unknownSubcommand(command, "");
    specs = subcommand.args ?? [];
    usage = subcommandUsage(command, subcommand);
  }
  const values = new Map<string, string | number>();
  const mentions = new Map<string, MentionRef[]>();
  const mentionSpec = specs.find((s) => s.type === "mentions");
  const positional = specs.filter((s) => s.positional && s.type !== "mentions");

  for (const token of tokens) {
    const ref = token.plain && !token.key && mentionSpec ? mention(token.value) : undefined;
    if (ref && mentionSpec) {
      addMention(mentions, mentionSpec, ref, usage);
      continue;
    }
    if (token.key !== undefined) {
      const spec = specs.find((s) => s.name.toLowerCase() === token.key!.toLowerCase());
      if (!spec || spec.type === "mentions") throw unknownOption(token.key, specs, usage);
      if (values.has(spec.name)) throw userError("DUPLICATE_OPTION", { name: spec.name, usage });
      values.set(spec.name, check(spec, token.value, usage));
      continue;
    }
    const spec = positional.find((s) => !values.has(s.name) && takesWord(s, token.value, values));
    const rest = spec
      ? undefined
      : positional.find((s) => s.type === "string" && s.rest && values.has(s.name));
    if (rest) {
      values.set(rest.name, check(rest, `${values.get(rest.name)} ${token.value}`, usage));
      continue;
    }
    if (!spec) throw unexpected(token, usage);
    values.set(spec.name, check(spec, token.value, usage));
  }
  requireAll(specs, values, mentions, usage);
  return { ...(subcommand ? { subcommand } : {}), values, mentions, usage };
}

/** Checks options a platform already parsed (Discord); `members` strings are read for mentions. */
export function parseOptions(
  command: CommandDefinition,
  options: Record<string, string | number | boolean | undefined>,
  subcommandName: string | undefined,
  mention: MentionSyntax,
): ParsedCommand {
  let usage = usageLine(command);
  let specs = command.args ?? [];
  let subcommand: SubcommandDefinition | undefined;
  if (command.subcommands) {
    subcommand = findSubcommand(command, subcommandName ?? command.defaultSubcommand ?? "");
    if (!subcommand) throw unknownSubcommand(command, subcommandName ?? "");
    specs = subcommand.args ?? [];
    usage = subcommandUsage(command, subcommand);
  }
  const values = new Map<string, string | number>();
  const mentions = new Map<string, MentionRef[]>();
  for (const [key, raw] of Object.entries(options)) {
    if (raw === undefined) continue;
    const spec = specs.find((s) => s.name === key);
    if (!spec) throw unknownOption(key, specs, usage);
    if (spec.type === "mentions") {
      for (const token of tokenize(String(raw), usage)) {
        const ref = mention(token.value);
        if (!ref) throw userError("NOT_A_MENTION", { word: clip(token.value), usage });
        addMention(mentions, spec, ref, usage);
      }
      continue;
    }
    values.set(spec.name, check(spec, raw, usage));
  }
  requireAll(specs, values, mentions, usage);
  return { ...(subcommand ? { subcommand } : {}), values, mentions, usage };
}

/** Whether a typed word can be this positional argument: a choice only one of its words, and only after what it follows. */
function takesWord(spec: ArgSpec, word: string, values: Map<string, string | number>): boolean {
  if (spec.after && values.get(spec.after.name) !== spec.after.value) return false;
  return spec.type !== "choice" || spec.choices.includes(word.toLowerCase());
}

function findSubcommand(command: CommandDefinition, name: string): SubcommandDefinition | undefined {
  return command.subcommands?.find((s) => s.name === name.toLowerCase());
}

function check(spec: ArgSpec, raw: string | number | boolean, usage: string): string | number {
  const result = checkValue(spec, raw);
  if (result.ok) return result.value;
  const limits = result.reason ? ` ${result.reason}` : "";
  throw userError("INVALID_ARGUMENT", {
    name: spec.name,
    expected: `${expected(spec)}${limits}`,
    given: clip(String(raw)),
    usage,
  });
}

function addMention(
  mentions: Map<string, MentionRef[]>,
  spec: ArgSpec,
  ref: MentionRef,
  usage: string,
): void {
  const list = mentions.get(spec.name) ?? [];
  if (list.some((r) => sameRef(r, ref))) return;
  if (spec.type === "mentions" && list.length >= spec.maxCount)
    throw userError("TOO_MANY_MENTIONS", { max: spec.maxCount, usage });
  list.push(ref);
  mentions.set(spec.name, list);
}

function sameRef(a: MentionRef, b: MentionRef): boolean {
  return a.id !== undefined ? a.id === b.id : a.username?.toLowerCase() === b.username?.toLowerCase();
}

function requireAll(
  specs: readonly ArgSpec[],
  values: Map<string, string | number>,
  mentions: Map<string, MentionRef[]>,
  usage: string,
): void {
  for (const spec of specs) {
    if (!spec.required) continue;
    // Required only after what it follows (`extend <dur>`).
    if (spec.after && values.get(spec.after.name) !== spec.after.value) continue;
    const present =
      spec.type === "mentions" ? (mentions.get(spec.name)?.length ?? 0) > 0 : values.has(spec.name);
    if (!present) throw userError("MISSING_ARGUMENT", { placeholder: spec.placeholder ?? spec.name, usage });
  }
}

function unknownOption(key: string, specs: readonly ArgSpec[], usage: string): UserError {
  const known = specs.filter((s) => s.type !== "mentions").map((s) => `${s.name}=`);
  return userError("UNKNOWN_OPTION", { key: clip(key), known, usage });
}

function unexpected(token: Token, usage: string): UserError {
  return userError("UNEXPECTED_ARGUMENT", { word: clip(token.value), usage });
}

function unknownSubcommand(command: CommandDefinition, word: string): UserError {
  const actions = (command.subcommands ?? []).map((s) => s.name).join(", ");
  return userError("UNKNOWN_SUBCOMMAND", {
    command: command.name,
    word: word && clip(word),
    actions,
    usage: usageLine(command),
  });
}

/** Echoes a bit of what was typed, one line, short enough for an error. */
function clip(text: string): string {
  const line = text.replace(/\s+/g, " ");
  return line.length > 40 ? `${line.slice(0, 39)}…` : line;
}
