import { describe, expect, it } from "@jest/globals";
import fc from "fast-check";
import { renderTelegram } from "../../adapters/telegram/render";
import { splitText } from "../../src/chat/split-text";

const word = fc.oneof(
  fc.stringMatching(/^[a-zA-Z0-9,.:;()@#*_~-]{1,30}$/),
  fc.stringMatching(/^[A-Z0-9]{13}$/).map((code) => `https://shop.test/g/${code}`),
);
const line = fc.array(word, { minLength: 1, maxLength: 40 }).map((words) => words.join(" "));
const text = fc.array(line, { minLength: 1, maxLength: 60 }).map((lines) => lines.join("\n"));

describe("splitText", () => {
  it("keeps every piece within the limit, loses nothing, and never cuts a word or a link", () => {
    fc.assert(
      fc.property(text, fc.integer({ min: 60, max: 500 }), (input, max) => {
        const pieces = splitText(input, max);
        for (const piece of pieces) expect(piece.length).toBeLessThanOrEqual(max);
        const strip = (s: string) => s.replace(/[\n ]/g, "");
        expect(strip(pieces.join(""))).toBe(strip(input));
        const words = new Set(pieces.flatMap((p) => p.split(/[\n ]/)));
        for (const w of input.split(/[\n ]/)) expect(words.has(w)).toBe(true);
      }),
    );
  });

  it("cuts a word longer than the limit, but never right after an escaping backslash", () => {
    expect(splitText("a".repeat(9), 4)).toEqual(["aaaa", "aaaa", "a"]);
    expect(splitText("abc\\*def", 4)).toEqual(["abc", "\\*de", "f"]);
  });
});

describe("Telegram's 4,096-character limit", () => {
  it("sends a long reply as several messages, the buttons under the last", () => {
    const long = Array.from(
      { length: 300 },
      (_, i) => `• member${i} (telegram, region EU, m${i}@example.com)`,
    ).join("\n");
    const messages = renderTelegram(`${long}\nhttps://shop.test/g/ABCDEFGHJKMNP`, [
      { label: "Join", command: "/join X" },
    ]);
    expect(messages.length).toBeGreaterThan(2);
    for (const m of messages) expect(m.text.length).toBeLessThanOrEqual(4096);
    expect(messages.map((m) => Boolean(m.reply_markup))).toEqual(
      messages.map((_, i) => i === messages.length - 1),
    );
    expect(messages.at(-1)?.text).toContain("https://shop.test/g/ABCDEFGHJKMNP");
    expect(messages.map((m) => m.text).join("\n")).toBe(`${long}\nhttps://shop.test/g/ABCDEFGHJKMNP`);
  });
});
