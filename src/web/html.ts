/**
 * The template layer: `html\`...\`` escapes every interpolated value unless it is already
 * `SafeHtml` (the result of another `html` call, or `trustedHtml` for markup we produced ourselves,
 * such as the QR code's SVG). User text can only reach a page through an interpolation, so it is
 * always escaped. Interpolations inside attributes must be quoted; the escaping covers both quotes.
 */
export class SafeHtml {
  constructor(readonly value: string) {}
  toString(): string {
    return this.value;
  }
}

const ESCAPES: Record<string, string> = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  '"': "&quot;",
  "'": "&#39;",
  "`": "&#96;",
};
const NEEDS_ESCAPE = /[&<>"'`]/g;

export function escapeHtml(text: string): string {
  return text.replace(NEEDS_ESCAPE, (ch) => ESCAPES[ch] ?? ch);
}

/** Nothing for null, undefined and false (so `${cond && html`...`}` reads naturally). */
function render(value: unknown): string {
  if (value instanceof SafeHtml) return value.value;
  if (value === null || value === undefined || value === false) return "";
  if (Array.isArray(value)) return value.map(render).join("");
  return escapeHtml(String(value));
}

export function html(strings: TemplateStringsArray, ...values: unknown[]): SafeHtml {
  let out = strings[0] ?? "";
  for (let i = 0; i < values.length; i++) out += render(values[i]) + (strings[i + 1] ?? "");
  return new SafeHtml(out);
}

/** Markup this program generated itself (never user text): passed through unescaped. */
export function trustedHtml(markup: string): SafeHtml {
  return new SafeHtml(markup);
}
