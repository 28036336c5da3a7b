import { describe, expect, it } from "@jest/globals";
import fc from "fast-check";
import { unescapeSlackText } from "../../../adapters/slack/parse";
import {
  MESSAGE_TEXT_LIMIT,
  RESPONSE_URL_USES,
  renderMessages,
  renderReply,
  SECTION_TEXT_LIMIT,
} from "../../../adapters/slack/render";

/** Names and reasons as a hostile user would choose them: Slack's own markup, escapes, links. */
const hostile = fc
  .array(
    fc.oneof(
      fc.string({ maxLength: 12 }),
      fc.constantFrom(
        "<!channel>",
        "<!here|here>",
        "<!everyone>",
        "<@U0ADMIN>",
        "<@W123|boss>",
        "<#C1|general>",
        "<https://evil.test|your order>",
        "<mailto:x@evil.test|support>",
        "&lt;!channel&gt;",
        "&amp;",
        "&",
        "<",
        ">",
      ),
    ),
    { maxLength: 8 },
  )
  .map((parts) => parts.join(""));

/** Every piece of text Slack would read as mrkdwn in a rendered reply. */
function mrkdwnOf(messages: ReturnType<typeof renderReply>): string[] {
  return messages.flatMap((m) => [
    m.text,
    ...((m.blocks ?? []) as { type: string; text?: { text: string } }[])
      .filter((b) => b.type === "section")
      .map((b) => b.text?.text ?? ""),
  ]);
}

describe("Slack text is safe whatever users call themselves", () => {
  it("leaves no mention, broadcast or link markup from names or reasons, and loses no character", () => {
    fc.assert(
      fc.property(hostile, hostile, fc.boolean(), (name, reason, withButtons) => {
        const text = `${name} cancelled group 7KQ3M9XPT2VAB: ${reason}\nhttps://shop.test/g/7KQ3M9XPT2VAB`;
        const messages = renderReply({
          text,
          visibility: "channel",
          ...(withButtons ? { buttons: [{ label: "Join", command: "/join 7KQ3M9XPT2VAB" }] } : {}),
        });
        for (const piece of mrkdwnOf(messages)) {
          // Slack builds <!channel>, <@U…> and <url|label> only from these characters.
          expect(piece).not.toMatch(/[<>]/);
          expect(piece.replace(/&(amp|lt|gt);/g, "")).not.toContain("&");
        }
        expect(messages).toHaveLength(1);
        expect(unescapeSlackText(messages[0]!.text)).toBe(text);
      }),
      { numRuns: 300 },
    );
  });
});

describe("Slack replies fit Slack's limits", () => {
  const line = (i: number) => `member ${i}: ana@example.com, region EU, 2 × KB-75 ${"·".repeat(40)}`;

  function expectWithinLimits(messages: ReturnType<typeof renderMessages>) {
    for (const m of messages) {
      expect(m.text.length).toBeLessThanOrEqual(MESSAGE_TEXT_LIMIT);
      expect((m.blocks ?? []).length).toBeLessThanOrEqual(50);
      for (const block of (m.blocks ?? []) as { text?: { text: string } }[])
        expect((block.text?.text ?? "").length).toBeLessThanOrEqual(SECTION_TEXT_LIMIT);
    }
  }

  it("splits a long reply at line ends into several messages, losing nothing, buttons under the last", () => {
    const text = [
      "Group 7KQ3M9XPT2VAB — https://shop.test/g/7KQ3M9XPT2VAB",
      ...Array.from({ length: 900 }, (_, i) => line(i)),
    ].join("\n");
    const messages = renderMessages(
      text,
      [{ label: "Join", command: "/join 7KQ3M9XPT2VAB" }],
      RESPONSE_URL_USES,
    );
    expect(messages.length).toBeGreaterThan(1);
    expectWithinLimits(messages);
    expect(messages.map((m) => unescapeSlackText(m.text)).join("\n")).toBe(text);
    expect(messages.at(-1)?.blocks?.at(-1)).toMatchObject({ type: "actions" });
    expect(messages.slice(0, -1).every((m) => m.blocks === undefined)).toBe(true);
  });

  it("keeps the start, the end and every link of a reply longer than a response_url takes", () => {
    const lines = Array.from({ length: 4000 }, (_, i) =>
      i === 2500 ? "Export: https://shop.test/g/X/orders.csv?k=t" : line(i),
    );
    const text = ["Group X — https://shop.test/g/X", ...lines, "Organiser: ana (ana@example.com)"].join("\n");
    const messages = renderReply({ text, visibility: "private" });
    expect(messages.length).toBeLessThanOrEqual(RESPONSE_URL_USES);
    expectWithinLimits(messages);
    const all = messages.map((m) => unescapeSlackText(m.text)).join("\n");
    expect(all.startsWith("Group X — https://shop.test/g/X\nmember 0:")).toBe(true);
    expect(all).toContain("Export: https://shop.test/g/X/orders.csv?k=t");
    expect(all).toContain("lines left out");
    expect(all.endsWith("Organiser: ana (ana@example.com)")).toBe(true);
  });

  it("never cuts inside an escape or a link when a line is longer than a section", () => {
    const url = `https://shop.test/g/X?m=${"a".repeat(60)}`;
    const text = Array.from({ length: 200 }, () => `a&b ${url}`).join(" ");
    const [message] = renderMessages(text, [{ label: "Open", url }]);
    const sections = (message!.blocks ?? []).filter((b) => b.type === "section") as {
      text: { text: string };
    }[];
    expect(sections.length).toBeGreaterThan(1);
    for (const s of sections) {
      expect(s.text.text.length).toBeLessThanOrEqual(SECTION_TEXT_LIMIT);
      expect(s.text.text).not.toMatch(/&(a|am|amp|l|lt|g|gt)?$/);
      for (const word of s.text.text.split(" ").filter((w) => w.startsWith("https://")))
        expect(word).toBe(url);
    }
  });
});
