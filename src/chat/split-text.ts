/**
 * Cuts a reply into pieces of at most `max` characters for a platform's message limit: after the
 * last line break in the piece when there is one in its second half, else at the last space, so a
 * link or a name is never cut; only a single word longer than `max` is cut inside. A cut never
 * separates a backslash escape from what it escapes, nor the halves of a surrogate pair.
 */
export function splitText(text: string, max: number): string[] {
  const pieces: string[] = [];
  let rest = text;
  while (rest.length > max) {
    const head = rest.slice(0, max + 1);
    let cut = head.lastIndexOf("\n");
    if (cut < max / 2) cut = Math.max(head.lastIndexOf(" "), cut);
    if (cut <= 0) cut = safeCut(rest, max);
    pieces.push(rest.slice(0, cut));
    rest = rest.slice(cut).replace(/^[\n ]/, "");
  }
  pieces.push(rest);
  return pieces;
}

function safeCut(text: string, max: number): number {
  let cut = max;
  while (cut > 1 && (text[cut - 1] === "\\" || isHighSurrogate(text.charCodeAt(cut - 1)))) cut--;
  return cut > 1 ? cut : max;
}

function isHighSurrogate(code: number): boolean {
  return code >= 0xd800 && code <= 0xdbff;
}
