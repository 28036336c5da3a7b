import { ButtonStyle, ComponentType, MessageFlags } from "discord.js";
import { splitText } from "../../src/chat/split-text";
import type { Button } from "../../src/kernel";
import { escapeDiscordMarkdown } from "./escape";

/** Discord's limit for a message's content. */
const MAX_CONTENT = 2000;
/** Discord's limit for a custom_id. */
const MAX_CUSTOM_ID = 100;
/** A button that runs a command carries it in its custom_id behind this prefix. */
export const COMMAND_BUTTON_PREFIX = "run:";

export interface DiscordMessageBody {
  content: string;
  flags: number;
  components?: Array<{ type: ComponentType.ActionRow; components: Array<Record<string, unknown>> }>;
  allowed_mentions: { parse: never[] };
}

/**
 * Neutral text and buttons as Discord message bodies (channel message, follow-ups or DM): the
 * text made literal (see escape.ts) and split into messages within Discord's 2,000 characters,
 * the buttons under the last. Mentions in the text never ping (people are notified by their DM,
 * not by a channel reply) and links unfold no previews, so a link someone put in a name shows as
 * what it is.
 */
export function renderDiscord(
  text: string,
  buttons: readonly Button[] = [],
  visibility: "channel" | "private" = "channel",
): DiscordMessageBody[] {
  const rows = actionRows(buttons);
  const flags = MessageFlags.SuppressEmbeds | (visibility === "private" ? MessageFlags.Ephemeral : 0);
  const pieces = fitPieces(text.trim() === "" ? "(empty)" : text);
  return pieces.map((content, i) => ({
    content,
    flags,
    ...(rows.length && i === pieces.length - 1 ? { components: rows } : {}),
    allowed_mentions: { parse: [] },
  }));
}

/** Escapes grow the text: a piece that no longer fits after escaping is split further. */
function fitPieces(text: string): string[] {
  const escaped = escapeDiscordMarkdown(text);
  if (escaped.length <= MAX_CONTENT) return [escaped];
  const pieces = splitText(text, text.length > MAX_CONTENT ? MAX_CONTENT : Math.ceil(text.length / 2));
  return pieces.flatMap(fitPieces);
}

function actionRows(buttons: readonly Button[]): NonNullable<DiscordMessageBody["components"]> {
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
  const rows: NonNullable<DiscordMessageBody["components"]> = [];
  for (let i = 0; i < components.length && rows.length < 5; i += 5) {
    rows.push({ type: ComponentType.ActionRow, components: components.slice(i, i + 5) });
  }
  return rows;
}
