import { slackHeaders, slashCommandBody } from "../../test/support/slack-sign";
import type { ResponseSink } from "./response-sink";

export const BENCH_SIGNING_SECRET = "bench-signing-secret-0123456789";

/**
 * Posts one signed slash command (a fresh trigger_id every time) and resolves with its reply text:
 * from the acknowledgement when the command answered within Slack's window, else from the
 * response_url once it arrives there. Empty when the request was refused.
 */
export async function runSlashCommand(
  base: string,
  sink: ResponseSink,
  id: number,
  input: { command: string; text: string; userId: string; triggerId: string },
  waitMs = 10_000,
): Promise<string> {
  const res = await postSlashCommand(base, { ...input, responseUrl: sink.responseUrl(id) });
  if (res.status !== 200) return "";
  if (res.body.startsWith("{")) return String((JSON.parse(res.body) as { text?: unknown }).text ?? "");
  return sink.waitFor(id, waitMs);
}

async function postSlashCommand(
  base: string,
  input: { command: string; text: string; userId: string; responseUrl: string; triggerId: string },
): Promise<{ status: number; body: string }> {
  const body = slashCommandBody(input);
  const res = await fetch(`${base}/slack/events`, {
    method: "POST",
    headers: {
      "content-type": "application/x-www-form-urlencoded",
      ...slackHeaders(body, BENCH_SIGNING_SECRET),
    },
    body,
  });
  return { status: res.status, body: await res.text() };
}
