/** Types one command into a running service's playground as `user`, the way the page does. */
export async function playgroundSay(
  base: string,
  user: string,
  text: string,
  eventId?: string,
): Promise<{ status: number; text: string; errorCode?: string }> {
  const res = await fetch(`${base}/playground/commands`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ user, text, ...(eventId ? { eventId } : {}) }),
  });
  const body = (await res.json().catch(() => ({}))) as { text?: string; error?: string; errorCode?: string };
  return {
    status: res.status,
    text: body.text ?? body.error ?? "",
    ...(body.errorCode ? { errorCode: body.errorCode } : {}),
  };
}

/** The code in a reply's group link (`/g/<code>`) or cart link (`/s/<code>`). */
export function codeIn(text: string, kind: "g" | "s"): string {
  const match = new RegExp(`/${kind}/([A-Za-z0-9_-]+)`).exec(text);
  if (!match?.[1]) throw new Error(`no /${kind}/ link in: ${text}`);
  return match[1];
}
