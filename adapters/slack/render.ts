import type { Reply } from "../../src/chat/invocation";
import type { Button } from "../../src/engine/messenger";

export const RUN_ACTION_PREFIX = "crowdcart:run:";
export const LINK_ACTION_PREFIX = "crowdcart:link:";

/** Slack mrkdwn treats these three as markup: escape them, plain URLs are linked by Slack. */
export function escapeSlack(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

type Block = Record<string, unknown>;

function chunks(text: string, size: number): string[] {
  const out: string[] = [];
  for (let i = 0; i < text.length; i += size) out.push(text.slice(i, i + size));
  return out.length ? out : [""];
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

/** A message body (text + blocks) for chat.postMessage or a response_url. */
export function renderMessage(text: string, buttons?: Button[]): { text: string; blocks?: Block[] } {
  const escaped = escapeSlack(text);
  if (!buttons?.length) return { text: escaped };
  const sections = chunks(escaped, 2900).map((part) => ({
    type: "section",
    text: { type: "mrkdwn", text: part },
  }));
  return { text: escaped, blocks: [...sections, ...buttonBlocks(buttons)] };
}

/** A reply for `respond()`: in the channel, or ephemeral (only the caller sees it). */
export function renderReply(reply: Reply) {
  return {
    response_type: reply.visibility === "channel" ? ("in_channel" as const) : ("ephemeral" as const),
    replace_original: false,
    ...renderMessage(reply.text, reply.buttons),
  };
}
