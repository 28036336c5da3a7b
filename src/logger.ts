import pino, { type Logger } from "pino";

export type { Logger };

/**
 * Structured logs: JSON when piped, pretty when a person is watching a terminal. Anything that
 * looks like a credential is redacted wherever it appears in a logged object.
 */
export function createLogger(level: string, pretty = Boolean(process.stdout.isTTY)): Logger {
  return pino({
    level,
    redact: {
      paths: [
        "*.token",
        "*.botToken",
        "*.secret",
        "*.signingSecret",
        "*.webhookSecret",
        "*.password",
        "*.authorization",
        "*.headers.authorization",
        "*.headers['x-telegram-bot-api-secret-token']",
        "*.headers['x-slack-signature']",
        "*.uri",
      ],
      censor: "[redacted]",
    },
    ...(pretty
      ? {
          transport: {
            target: "pino-pretty",
            options: { translateTime: "SYS:HH:MM:ss", ignore: "pid,hostname" },
          },
        }
      : {}),
  });
}

/** A logger that prints nothing, for tests that do not look at logs. */
export const silentLogger: Logger = pino({ level: "silent" });
