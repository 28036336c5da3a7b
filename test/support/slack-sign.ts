import { createHmac, randomBytes } from "node:crypto";

/** The headers Slack sends with a request: a v0 HMAC-SHA256 over `v0:<timestamp>:<raw body>`. */
export function slackHeaders(
  body: string | Buffer,
  signingSecret: string,
  timestamp = Math.floor(Date.now() / 1000),
): Record<string, string> {
  const signature = createHmac("sha256", signingSecret).update(`v0:${timestamp}:`).update(body).digest("hex");
  return {
    "x-slack-request-timestamp": String(timestamp),
    "x-slack-signature": `v0=${signature}`,
  };
}

/** A slash command as Slack posts it: form-encoded, with a fresh trigger_id per invocation. */
export function slashCommandBody(input: Parameters<typeof slashCommandPayload>[0]): string {
  return new URLSearchParams(slashCommandPayload(input)).toString();
}

/** A slash command's fields (Socket Mode sends them as an envelope's payload). */
export function slashCommandPayload(input: {
  command: string;
  text: string;
  teamId?: string;
  /** Enterprise Grid: the organisation of the workspace the command was typed in. */
  enterpriseId?: string;
  userId: string;
  userName?: string;
  channelId?: string;
  responseUrl: string;
  triggerId?: string;
}): Record<string, string> {
  return {
    token: "deprecated-verification-token",
    team_id: input.teamId ?? "T1",
    team_domain: "acme",
    channel_id: input.channelId ?? "C1",
    channel_name: "general",
    user_id: input.userId,
    user_name: input.userName ?? input.userId.toLowerCase(),
    command: input.command,
    text: input.text,
    api_app_id: "A1",
    ...(input.enterpriseId ? { enterprise_id: input.enterpriseId, enterprise_name: "Acme Grid" } : {}),
    is_enterprise_install: "false",
    response_url: input.responseUrl,
    trigger_id: input.triggerId ?? `${Date.now()}.${randomBytes(6).toString("hex")}`,
  };
}

/** A button click (block_actions) as Slack posts it: form-encoded with one `payload` JSON field. */
export function blockActionBody(input: {
  /** The workspace the click happened in. */
  teamId?: string;
  /** The clicker's own workspace (differs from teamId on Enterprise Grid and Slack Connect). */
  homeTeamId?: string;
  enterpriseId?: string;
  userId: string;
  userName?: string;
  channelId: string;
  actionId: string;
  value: string;
  responseUrl: string;
}): string {
  return new URLSearchParams({ payload: JSON.stringify(blockActionPayload(input)) }).toString();
}

/** The JSON of a block_actions click (Socket Mode sends it as an envelope's payload). */
export function blockActionPayload(input: Parameters<typeof blockActionBody>[0]): Record<string, unknown> {
  const team = input.teamId ?? "T1";
  return {
    type: "block_actions",
    team: { id: team, domain: "acme", ...(input.enterpriseId ? { enterprise_id: input.enterpriseId } : {}) },
    enterprise: input.enterpriseId ? { id: input.enterpriseId, name: "Acme Grid" } : null,
    is_enterprise_install: false,
    user: {
      id: input.userId,
      username: input.userName ?? input.userId.toLowerCase(),
      team_id: input.homeTeamId ?? team,
    },
    api_app_id: "A1",
    token: "deprecated-verification-token",
    container: {
      type: "message",
      message_ts: "1700000000.000100",
      channel_id: input.channelId,
      is_ephemeral: false,
    },
    trigger_id: `${Date.now()}.${randomBytes(6).toString("hex")}`,
    channel: { id: input.channelId, name: "directmessage" },
    response_url: input.responseUrl,
    actions: [
      {
        type: "button",
        action_id: input.actionId,
        block_id: "b1",
        text: { type: "plain_text", text: "Join" },
        value: input.value,
        action_ts: `${Date.now() / 1000}`,
      },
    ],
  };
}
