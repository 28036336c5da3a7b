/**
 * Slack's own slash commands, as Slack's users report them: a manifest that declares one is
 * refused as a whole. Kept apart from the adapter's list on purpose, so a name missing there is
 * still caught here.
 */
const SLACK_BUILT_INS = new Set([
  "join",
  "leave",
  "status",
  "me",
  "away",
  "dnd",
  "shrug",
  "remind",
  "msg",
  "feed",
  "who",
  "collapse",
  "expand",
  "open",
  "search",
  "topic",
  "mute",
  "pro",
  "shortcuts",
]);

/** One entry of the `errors` list Slack gives with `invalid_manifest`. */
export interface ManifestError {
  message: string;
  pointer: string;
}

interface SlashCommand {
  command?: unknown;
  url?: unknown;
  description?: unknown;
  usage_hint?: unknown;
}

interface Manifest {
  display_information?: { name?: unknown; description?: unknown };
  features?: { bot_user?: { display_name?: unknown }; slash_commands?: SlashCommand[] };
  settings?: {
    socket_mode_enabled?: unknown;
    interactivity?: { is_enabled?: unknown; request_url?: unknown };
  };
}

const text = (value: unknown) => (typeof value === "string" ? value : "");
const isUrl = (value: unknown) => /^https?:\/\/\S+$/.test(text(value));

/**
 * What `apps.manifest.validate` finds wrong with the parts of a manifest crowdcart writes: Slack's
 * limits on names, descriptions and commands, its built-in command names, and a request URL
 * wherever Socket Mode is off.
 */
export function manifestErrors(manifest: Manifest): ManifestError[] {
  const errors: ManifestError[] = [];
  const check = (ok: boolean, pointer: string, message: string) => {
    if (!ok) errors.push({ pointer, message });
  };
  const name = text(manifest.display_information?.name);
  check(name.length >= 1 && name.length <= 35, "/display_information/name", "must be 1 to 35 characters");
  check(
    text(manifest.display_information?.description).length <= 140,
    "/display_information/description",
    "must be at most 140 characters",
  );
  check(
    /^[a-z0-9._-]{1,80}$/.test(text(manifest.features?.bot_user?.display_name)),
    "/features/bot_user/display_name",
    "must be 1 to 80 of a-z 0-9 - _ .",
  );
  const commands = manifest.features?.slash_commands ?? [];
  check(commands.length <= 50, "/features/slash_commands", "must have at most 50 items");
  const socketMode = manifest.settings?.socket_mode_enabled === true;
  const seen = new Set<string>();
  for (const [i, c] of commands.entries()) {
    const at = `/features/slash_commands/${i}`;
    const command = text(c.command);
    check(
      /^\/[a-z0-9-]{1,31}$/.test(command),
      `${at}/command`,
      "the slash command has an invalid name: lowercase, no spaces, at most 32 characters with the slash",
    );
    check(!SLACK_BUILT_INS.has(command.slice(1)), `${at}/command`, "the slash command has an invalid name");
    check(!seen.has(command), `${at}/command`, "the slash command is declared twice");
    seen.add(command);
    const description = text(c.description);
    check(
      description.length >= 1 && description.length <= 2000,
      `${at}/description`,
      "must be 1 to 2000 characters",
    );
    check(text(c.usage_hint).length <= 1000, `${at}/usage_hint`, "must be at most 1000 characters");
    check(socketMode || isUrl(c.url), `${at}/url`, "Slash commands require a Request URL");
  }
  const interactivity = manifest.settings?.interactivity;
  if (interactivity?.is_enabled === true)
    check(
      socketMode || isUrl(interactivity.request_url),
      "/settings/interactivity",
      "Interactivity requires a Request URL",
    );
  return errors;
}
