import { userError } from "../engine/errors";

/**
 * One word of a command line. `key` is set when the word starts with an unquoted `key=`, so
 * `email="a b"` is an option while `"size=3"` stays a plain word. `plain` is true when no part of
 * the word was quoted: only plain words can be mentions or subcommand names.
 */
export interface Token {
  value: string;
  plain: boolean;
  key?: string;
}

const OPEN_TO_CLOSE: Record<string, string> = { '"': '"', "\u201c": "\u201d", "\u201e": "\u201c" };
const OPTION_KEY = /^([A-Za-z][A-Za-z0-9_]*)=/;

/**
 * Splits what a user typed after the command: whitespace separates words, `"..."` (or the curly
 * quotes phones insert) keeps spaces inside one value with `\"` and `\\` as escapes, and `<...>`
 * stays whole so Slack's `<@U1|jane doe>` is one word. `usage`, when given, ends the line of an
 * error (the usage of the command being typed).
 */
export function tokenize(text: string, usage?: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    while (i < text.length && isSpace(text[i]!)) i++;
    if (i >= text.length) break;
    let value = "";
    let plain = true;
    let unquotedPrefix = "";
    let prefixOpen = true;
    while (i < text.length && !isSpace(text[i]!)) {
      const ch = text[i]!;
      const close = OPEN_TO_CLOSE[ch];
      if (close !== undefined) {
        const end = readQuoted(text, i + 1, close, usage);
        value += end.value;
        i = end.next;
        plain = false;
        prefixOpen = false;
        continue;
      }
      if (ch === "<") {
        const end = text.indexOf(">", i + 1);
        if (end !== -1) {
          const segment = text.slice(i, end + 1);
          value += segment;
          if (prefixOpen) unquotedPrefix += segment;
          i = end + 1;
          continue;
        }
      }
      value += ch;
      if (prefixOpen) unquotedPrefix += ch;
      i++;
    }
    const match = OPTION_KEY.exec(unquotedPrefix);
    tokens.push(match ? { value: value.slice(match[0].length), plain, key: match[1]! } : { value, plain });
  }
  return tokens;
}

function readQuoted(
  text: string,
  start: number,
  close: string,
  usage: string | undefined,
): { value: string; next: number } {
  let value = "";
  let i = start;
  while (i < text.length) {
    const ch = text[i]!;
    if (ch === close) return { value, next: i + 1 };
    if (ch === "\\" && (text[i + 1] === close || text[i + 1] === "\\")) {
      value += text[i + 1];
      i += 2;
      continue;
    }
    value += ch;
    i++;
  }
  throw userError("UNCLOSED_QUOTE", usage ? { close, usage } : { close });
}

function isSpace(ch: string): boolean {
  return /\s/u.test(ch);
}

/** The inverse of tokenize for one value: quotes it when it would not survive as a plain word. */
export function quote(value: string): string {
  if (value !== "" && !/[\s"\u201c\u201d\u201e<\\=]/u.test(value)) return value;
  return `"${value.replace(/["\\]/g, "\\$&")}"`;
}
