import { describe, expect, it } from "@jest/globals";
import fc from "fast-check";
import { quote, tokenize } from "../../src/chat/tokenize";
import { UserError } from "../../src/engine/errors";

const values = (text: string) => tokenize(text).map((t) => (t.key ? `${t.key}=${t.value}` : t.value));

describe("tokenizer", () => {
  it("splits positional words, key=value options and quoted values", () => {
    const tokens = tokenize('KB-75 size=3 email="ana maria@example.com" "two words"');
    expect(tokens).toEqual([
      { value: "KB-75", plain: true },
      { value: "3", plain: true, key: "size" },
      { value: "ana maria@example.com", plain: false, key: "email" },
      { value: "two words", plain: false },
    ]);
  });

  it("keeps a quoted key=value as a plain word, not an option", () => {
    expect(tokenize('"size=3"')).toEqual([{ value: "size=3", plain: false }]);
  });

  it("keeps Slack's <@U1|jane doe> mention as one word", () => {
    expect(values("<@U1|jane doe> <@U2>")).toEqual(["<@U1|jane doe>", "<@U2>"]);
  });

  it("accepts the curly quotes phones insert", () => {
    expect(values("\u201cnew keyboard\u201d")).toEqual(["new keyboard"]);
  });

  it("refuses an unclosed quote with a user error", () => {
    expect(() => tokenize('add "KB-75')).toThrow(UserError);
  });

  it("round-trips any list of values through quote()", () => {
    fc.assert(
      fc.property(fc.array(fc.string({ maxLength: 20 }), { maxLength: 8 }), (list) => {
        const tokens = tokenize(list.map(quote).join(" "));
        expect(tokens.map((t) => t.value)).toEqual(list);
        expect(tokens.every((t) => t.key === undefined)).toBe(true);
      }),
    );
  });

  it("reads key=quote(value) options back as the same key and value", () => {
    const key = fc.stringMatching(/^[a-z][a-z0-9_]{0,8}$/);
    fc.assert(
      fc.property(fc.array(fc.tuple(key, fc.string({ maxLength: 20 })), { maxLength: 6 }), (pairs) => {
        const tokens = tokenize(pairs.map(([k, v]) => `${k}=${quote(v)}`).join(" "));
        expect(tokens.map((t) => [t.key, t.value])).toEqual(pairs);
      }),
    );
  });

  it("ignores how much whitespace separates words", () => {
    const word = fc.stringMatching(/^[A-Za-z0-9@._-]{1,10}$/);
    const gap = fc.stringMatching(/^[ \t\n]{1,4}$/);
    fc.assert(
      fc.property(fc.array(word, { minLength: 1, maxLength: 8 }), gap, gap, (words, lead, sep) => {
        expect(values(lead + words.join(sep) + lead)).toEqual(words);
      }),
    );
  });

  it("never throws anything but a UserError, whatever is typed", () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 200 }), (text) => {
        try {
          tokenize(text);
        } catch (error) {
          expect(error).toBeInstanceOf(UserError);
        }
      }),
    );
  });
});
