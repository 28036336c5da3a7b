import type { ArgSpec, CommandDefinition, SubcommandDefinition } from "./command";

/** `<sku>`, `[qty=<n>]`, `[<mention> ...]`: how one argument reads in a usage line. */
export function argUsage(spec: ArgSpec): string {
  const placeholder = `<${spec.placeholder ?? spec.name}>`;
  if (spec.type === "mentions") return spec.required ? `${placeholder} ...` : `[${placeholder} ...]`;
  const shown = spec.positional ? placeholder : `${spec.name}=${placeholder}`;
  return spec.required ? shown : `[${shown}]`;
}

function argsUsage(args: readonly ArgSpec[] | undefined): string {
  // What follows one choice is shown with that choice, e.g. `[close | extend <dur>]`.
  const list = (args ?? []).filter((a) => !a.after);
  // Positional words first (in order), then options, then mentions: the order people type them.
  const ordered = [
    ...list.filter((a) => a.positional && a.type !== "mentions"),
    ...list.filter((a) => !a.positional && a.type !== "mentions"),
    ...list.filter((a) => a.type === "mentions"),
  ];
  return ordered
    .map((spec) => (spec.type === "choice" ? choiceUsage(spec, args ?? []) : argUsage(spec)))
    .join(" ");
}

/** `[close | extend <dur> | cancel [<reason>]]`: each word with the arguments that go after it. */
function choiceUsage(spec: Extract<ArgSpec, { type: "choice" }>, args: readonly ArgSpec[]): string {
  const alternatives = spec.choices.map((choice) =>
    [
      choice,
      ...args.filter((a) => a.after?.name === spec.name && a.after.value === choice).map(argUsage),
    ].join(" "),
  );
  const words = alternatives.join(" | ");
  return spec.required ? `(${words})` : `[${words}]`;
}

/**
 * Usage lines by definition: every parse names one (for its error messages), and a definition
 * never changes once declared.
 */
const usageLines = new WeakMap<CommandDefinition | SubcommandDefinition, string>();

function remembered(key: CommandDefinition | SubcommandDefinition, build: () => string): string {
  let line = usageLines.get(key);
  if (line === undefined) {
    line = build();
    usageLines.set(key, line);
  }
  return line;
}

/** The usage of one subcommand, e.g. `/cart add <sku> [qty=<n>]`. */
export function subcommandUsage(command: CommandDefinition, sub: SubcommandDefinition): string {
  return remembered(sub, () => buildSubcommandUsage(command, sub));
}

function buildSubcommandUsage(command: CommandDefinition, sub: SubcommandDefinition): string {
  const optional = command.defaultSubcommand === sub.name && !(sub.args ?? []).some((a) => a.required);
  const word = optional ? `[${sub.name}]` : sub.name;
  return [`/${command.name}`, word, argsUsage(sub.args)].filter(Boolean).join(" ");
}

/** The one-line usage of a command; for subcommands the alternatives joined by `|`. */
export function usageLine(command: CommandDefinition): string {
  return remembered(command, () => buildUsageLine(command));
}

function buildUsageLine(command: CommandDefinition): string {
  if (command.subcommands) {
    const alternatives = command.subcommands.map((sub) =>
      subcommandUsage(command, sub).slice(command.name.length + 2),
    );
    return `/${command.name} ${alternatives.join(" | ")}`;
  }
  return [`/${command.name}`, argsUsage(command.args)].filter(Boolean).join(" ");
}

/** What a value of this argument must look like, in the words of an error message. */
export function expected(spec: ArgSpec): string {
  switch (spec.type) {
    case "string":
      return `text of at most ${spec.maxLength} characters`;
    case "integer":
      return `a whole number from ${spec.min} to ${spec.max}`;
    case "duration":
      return "a duration like 90s, 30m, 48h or 7d";
    case "sku":
      return "a product SKU such as KB-75 (see /catalog)";
    case "code":
      return "a code of letters, digits and dashes";
    case "email":
      return "an email address like ana@example.com";
    case "region":
      return "a region code such as EU or US";
    case "command":
      return "a command name such as join";
    case "mentions":
      return `up to ${spec.maxCount} mentions`;
    case "choice":
      return `one of ${spec.choices.join(", ")}`;
  }
}
