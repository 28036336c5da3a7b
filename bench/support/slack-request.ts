import { slackHeaders, slashCommandBody } from "../../test/support/slack-sign";

export const BENCH_SIGNING_SECRET = "bench-signing-secret-0123456789";

/** Posts one signed slash command (a fresh trigger_id every time) and resolves with the HTTP status. */
export async function postSlashCommand(
  base: string,
  input: { command: string; text: string; userId: string; responseUrl: string; triggerId: string },
): Promise<number> {
  const body = slashCommandBody(input);
  const res = await fetch(`${base}/slack/events`, {
    method: "POST",
    headers: {
      "content-type": "application/x-www-form-urlencoded",
      ...slackHeaders(body, BENCH_SIGNING_SECRET),
    },
    body,
  });
  await res.arrayBuffer();
  return res.status;
}
