import type { Button, Reply } from "../../src/kernel";

export const RUN_ACTION_PREFIX = "crowdcart:run:";
export const LINK_ACTION_PREFIX = "crowdcart:link:";

/** Slack's limits: the text of one section block, and blocks per message. */
export const SECTION_TEXT_LIMIT = 3000;
export const BLOCKS_PER_MESSAGE = 50;
/** Slack cuts a message's text at 40,000 characters; a margin keeps us clear of it. */
export const MESSAGE_TEXT_LIMIT = 39_000;
/** A response_url takes five messages; one reply never needs more. */
export const RESPONSE_URL_USES = 5;

/**
 * Slack mrkdwn reads `&`, `<` and `>` as markup: `<!channel>`, `<@U1>` and `<https://x|label>` are
 * only ever made by Slack from these characters, so escaping them leaves user text inert. Plain
 * URLs are still linked by Slack.
 */
export function escapeSlack(text: string): string {
  if (!/[&<>]/.test(text)) return text;
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

type Block = Record<string, unknown>;

/** One Slack message body: for chat.postMessage, an acknowledgement or a response_url. */
export interface SlackMessage {
  text: string;
  blocks?: Block[];
}

/**
 * Cuts text into pieces of at most `limit` characters, at line ends where it can, else at a space,
 * never inside an `&amp;` escape: a link or a line stays whole.
 */
export function splitText(text: string, limit: number): string[] {
  const pieces: string[] = [];
  let rest = text;
  while (rest.length > limit) {
    let cut = rest.lastIndexOf("\n", limit);
    if (cut <= 0) cut = rest.lastIndexOf(" ", limit);
    if (cut <= 0) {
      cut = limit;
      const amp = rest.lastIndexOf("&", cut);
      if (amp > cut - 5 && amp > 0) cut = amp;
    }
    pieces.push(rest.slice(0, cut));
    rest = rest.slice(cut).replace(/^[\n ]/, "");
  }
  pieces.push(rest);
  return pieces;
}

/** Buttons as one actions block: command buttons run through Bolt actions, link buttons open a URL. */
export function buttonBlocks(buttons: Button[] | undefined): Block[] {
  if (!buttons?.length) return [];
  const elements = buttons.slice(0, 25).map((button, i) => {
    const text = { type: "plain_text", text: button.label.slice(0, 75), emoji: true };
    if (button.url) return { type: "button", text, url: button.url, action_id: `${LINK_ACTION_PREFIX}${i}` };
    return {
      type: "button",
      text,
      value: (button.command ?? "").slice(0, 2000),
      action_id: `${RUN_ACTION_PREFIX}${i}`,
    };
  });
  return [{ type: "actions", elements }];
}

/**
 * Text and buttons as Slack messages within Slack's limits: as many messages as the text needs
 * (cut at line ends), the buttons under the last one as sections plus an actions block.
 */
export function renderMessages(text: string, buttons?: Button[], maxMessages = Infinity): SlackMessage[] {
  const parts = fitMessages(splitText(escapeSlack(text), MESSAGE_TEXT_LIMIT), maxMessages);
  return parts.map((part, i) => {
    if (i < parts.length - 1 || !buttons?.length) return { text: part };
    const sections = splitText(part, SECTION_TEXT_LIMIT).map((piece) => ({
      type: "section",
      text: { type: "mrkdwn", text: piece },
    }));
    return { text: part, blocks: [...sections, ...buttonBlocks(buttons)] };
  });
}

/**
 * More parts than a response_url takes (a reply of some 190,000 characters): the middle gives way
 * to a note, except its lines with a link, so the reply's start, end and every link remain.
 */
function fitMessages(parts: string[], maxMessages: number): string[] {
  if (parts.length <= maxMessages) return parts;
  const kept = [...parts.slice(0, maxMessages - 2), parts.at(-1)!];
  const dropped = parts
    .slice(maxMessages - 2, -1)
    .join("\n")
    .split("\n");
  const links = dropped.filter((line) => /https?:\/\//.test(line));
  const note = [`… ${dropped.length - links.length} lines left out: Slack takes no longer reply.`, ...links];
  kept.splice(maxMessages - 2, 0, ...splitText(note.join("\n"), MESSAGE_TEXT_LIMIT).slice(0, 1));
  return kept;
}

/** A reply for an acknowledgement or `respond()`: in the channel, or ephemeral (only the caller sees it). */
export function renderReply(reply: Reply) {
  return renderMessages(reply.text, reply.buttons, RESPONSE_URL_USES).map((message) => ({
    response_type: reply.visibility === "channel" ? ("in_channel" as const) : ("ephemeral" as const),
    replace_original: false,
    ...message,
  }));
}
