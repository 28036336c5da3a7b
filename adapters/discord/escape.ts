/**
 * Replies are neutral plain text; Discord reads content as markdown. So everything is made literal
 * except links: the characters that format inline (`*`, `_`, `~`, `` ` ``, `|`), open masked links
 * (`[`), mentions, timestamps and emoji (`<`, `@everyone`, `@here`) or quotes (`>`), and at the
 * start of a line headings (`#`, `-#`) and lists (`-`, `+`, `1.`). A backslash is escaped first, so
 * a name cannot undo an escape. Links stay untouched: a backslash inside one would become part of it.
 */
export function escapeDiscordMarkdown(text: string): string {
  let out = "";
  let at = 0;
  for (const link of text.matchAll(LINK)) {
    out += escapeInline(text.slice(at, link.index));
    out += link[0];
    at = link.index + link[0].length;
  }
  out += escapeInline(text.slice(at));
  return out.replace(LINE_START_MARK, "$1\\$2").replace(LINE_START_NUMBER, "$1\\$2");
}

/** How Discord finds a link in content: up to whitespace or `<`, not ending in punctuation. */
const LINK = /https?:\/\/[^\s<]+[^<.,:;"')\]\s]/g;
const INLINE = /[\\*_~`|[\]<>]|@(?=everyone|here)/g;
/** At a line's start (after any indent): `#`, `-` or `+`, and the `.` or `)` after a number. */
const LINE_START_MARK = /^([ \t]*)([#+-])/gm;
const LINE_START_NUMBER = /^([ \t]*\d+)([.)])/gm;

function escapeInline(text: string): string {
  return text.replace(INLINE, "\\$&");
}
