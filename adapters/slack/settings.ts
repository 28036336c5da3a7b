export interface SlackSettings {
  /** On with a bot token and either a signing secret (HTTP) or an app token (Socket Mode). */
  enabled: boolean;
  /** Unset only with Socket Mode, where nothing arrives over HTTP. */
  signingSecret?: string | undefined;
  botToken: string;
  /** SLACK_API_URL: Web API base, e.g. a local fake in tests. */
  apiUrl?: string | undefined;
  /** SLACK_APP_TOKEN (`xapp-…`): events come over Socket Mode instead of POST /slack/events. */
  appToken?: string | undefined;
  /** SLACK_COMMAND_PREFIX: needed with Slack off too, since the manifest and the pages name the commands. */
  commandPrefix: string;
  /** How long a command may run and still answer in the acknowledgement (tests set 0). */
  inlineReplyWithinMs?: number;
}
