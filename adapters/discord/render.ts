import { ButtonStyle, ComponentType, MessageFlags } from "discord.js";
import type { Button } from "../../src/engine/messenger";

/** Discord's limit for a message's content. */
const MAX_CONTENT = 2000;
/** Discord's limit for a custom_id. */
const MAX_CUSTOM_ID = 100;
/** A button that runs a command carries it in its custom_id behind this prefix. */
export const COMMAND_BUTTON_PREFIX = "run:";

export interface DiscordMessageBody {
  content: string;
  flags?: number;
  components?: Array<{ type: ComponentType.ActionRow; components: Array<Record<string, unknown>> }>;
  allowed_mentions: { parse: never[] };
}

/**
 * Neutral text and buttons as a Discord message body (channel message, follow-up or DM). Mentions
 * in the text never ping: people are notified by their DM, not by a channel reply.
 */
export function renderDiscord(
  text: string,
  buttons: readonly Button[] = [],
  visibility: "channel" | "private" = "channel",
): DiscordMessageBody {
  const content = text.length > MAX_CONTENT ? `${text.slice(0, MAX_CONTENT - 1)}…` : text || "(empty)";
  const components = buttons.flatMap((button): Array<Record<string, unknown>> => {
    const label = button.label.slice(0, 80);
    if (button.url && /^https?:\/\//.test(button.url)) {
      return [{ type: ComponentType.Button, style: ButtonStyle.Link, label, url: button.url }];
    }
    const customId = `${COMMAND_BUTTON_PREFIX}${button.command ?? ""}`;
    if (button.command && customId.length <= MAX_CUSTOM_ID) {
      return [{ type: ComponentType.Button, style: ButtonStyle.Primary, label, custom_id: customId }];
    }
    return [];
  });
  const rows: DiscordMessageBody["components"] = [];
  for (let i = 0; i < components.length && rows.length < 5; i += 5) {
    rows.push({ type: ComponentType.ActionRow, components: components.slice(i, i + 5) });
  }
  return {
    content,
    ...(visibility === "private" ? { flags: MessageFlags.Ephemeral } : {}),
    ...(rows.length ? { components: rows } : {}),
    allowed_mentions: { parse: [] },
  };
}
