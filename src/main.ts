import { ConfigError, loadConfig } from "./config";
import { createLogger } from "./logger";
import { startService } from "./service";

const SHUTDOWN_LIMIT_MS = 10_000;

async function main(): Promise<void> {
  let config: ReturnType<typeof loadConfig>;
  try {
    config = loadConfig();
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`${error.message}\n`);
    process.exit(2);
  }
  const log = createLogger(config.logLevel);
  const service = await startService(config, log);

  const shutdown = (signal: string) => {
    log.info({ signal }, "shutting down");
    setTimeout(() => {
      log.error("shutdown took longer than 10 s; exiting");
      process.exit(1);
    }, SHUTDOWN_LIMIT_MS).unref();
    service.stop().then(
      () => process.exit(0),
      (error: unknown) => {
        log.error({ err: error }, "shutdown failed");
        process.exit(1);
      },
    );
  };
  process.once("SIGINT", shutdown);
  process.once("SIGTERM", shutdown);
}

main().catch((error: unknown) => {
  process.stderr.write(
    `crowdcart could not start: ${error instanceof Error ? error.message : String(error)}\n`,
  );
  process.exit(1);
});
