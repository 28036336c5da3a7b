import { describe, expect, it } from "@jest/globals";
import { toHTML } from "@odiffey/discord-markdown";
import fc from "fast-check";
import { renderDiscord } from "../../../adapters/discord/render";
import { renderTelegram } from "../../../adapters/telegram/render";
import { renderGroup } from "../../../commands/group";
import type { GroupView } from "../../../src/engine/groups";
import { shown } from "./discord-client";

const URL = "https://shop.test/g/7KQ3MX9P2HABC";

/** Names made of what Discord reads as markup, with the odd letter, space and line break between. */
const hostileName = fc
  .array(
    fc.constantFrom(
      "# ",
      "## ",
      "-# ",
      "- ",
      "* ",
      "+ ",
      "1. ",
      "> ",
      ">>> ",
      "**",
      "*",
      "__",
      "_",
      "~~",
      "||",
      "`",
      "```",
      "[x](https://evil.test)",
      "](",
      "<@123456789012345678>",
      "<#1>",
      "<t:0:R>",
      "<:e:1>",
      "@everyone",
      "\\",
      "\n",
      " ",
      "a",
      "Ω",
      "😀",
      "https://evil.test/x",
      "(",
      ")",
      ":",
    ),
    { minLength: 1, maxLength: 12 },
  )
  .map((parts) => parts.join(""))
  .filter((name) => name.trim() !== "");

function groupWith(name: string): GroupView {
  const now = new Date("2026-12-01T12:00:00Z");
  return {
    code: "7KQ3MX9P2HABC",
    url: URL,
    state: "open",
    product: { sku: "KB-75", name: "75% keyboard kit", price: 12900, currency: "EUR" },
    tiers: [],
    reachedTier: null,
    nextTier: null,
    memberCount: 1,
    target: 3,
    cap: 3,
    expiresAt: now,
    createdAt: now,
    closedAt: null,
    waiting: 1,
    offered: 1,
    sibling: null,
    origin: null,
    organiser: { displayName: name, platform: "discord" },
    members: [{ displayName: name, platform: "discord", joinedAt: now }],
    viewer: { isOrganiser: true, isMember: false, isInvited: false },
    details: {
      members: [
        {
          userKey: "discord:1",
          displayName: name,
          platform: "discord",
          region: null,
          email: null,
          couldNotDm: name,
          orders: [],
        },
      ],
      invited: [{ displayName: name, platform: "discord", joined: false, couldNotDm: null }],
      waitlist: [{ displayName: name, platform: "discord", since: now }],
      offers: [{ displayName: name, platform: "discord", until: now }],
    },
    remindersSent: 0,
  };
}

/**
 * The markup a Discord markdown parser finds in content. A plain link, shown as the address it
 * goes to, is not markup; a masked link (text other than its address) is.
 */
function tagsIn(content: string): string[] {
  const html = toHTML(content).replace(/<a href="([^"]*)">([^<]*)<\/a>/g, (tag, href, text) =>
    href === text ? "" : tag,
  );
  return [...html.matchAll(/<(?!br>)[a-z][^>]*>/g)].map((m) => m[0]);
}

describe("user text in Discord replies", () => {
  it("a hostile name, wherever it stands in a reply (line start, middle, bullet), forms no markup", () => {
    fc.assert(
      fc.property(hostileName, (name) => {
        // Links inside the name stay links (shown as written, without a preview); nothing else is active.
        const text = renderGroup(groupWith(name)).replaceAll("https://evil.test", "evil.test");
        const text2 = `${name} opened a group buy of KB-75.\n${name}\n${URL}`.replaceAll(
          "https://evil.test",
          "evil.test",
        );
        for (const source of [text, text2]) {
          const messages = renderDiscord(source);
          for (const { content } of messages) expect(tagsIn(content)).toEqual([]);
          // …and the reader sees exactly the text, nothing lost or added.
          expect(messages.map((m) => shown(m.content)).join("\n")).toBe(source);
        }
      }),
      { numRuns: 300 },
    );
  });

  it("never lets a mention in a name ping anyone, and shows links in names without a preview", () => {
    const [message] = renderDiscord("@everyone <@123> https://evil.test/x");
    expect(message?.allowed_mentions).toEqual({ parse: [] });
    expect((message?.flags ?? 0) & 4).toBe(4);
  });
});

describe("user text in Telegram replies", () => {
  it("is sent as plain text (no parse_mode), so a name is shown exactly as written", () => {
    fc.assert(
      fc.property(fc.oneof(hostileName, fc.string({ unit: "grapheme", minLength: 1 })), (name) => {
        const text = `${name} joined group 7KQ3MX9P2HABC.\n${URL}`;
        const messages = renderTelegram(text);
        for (const message of messages) expect(Object.keys(message)).toEqual(["text"]);
        expect(messages.map((m) => m.text).join("\n")).toBe(text);
      }),
    );
  });
});
