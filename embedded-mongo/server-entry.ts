import pino from "pino";
import { EmbeddedServer } from "./server";

/**
 * Child-process entry: serves until the parent goes away. The parent learns the port over IPC;
 * a closed IPC channel (parent exited or crashed) ends this process too.
 */
async function main(): Promise<void> {
  // Warnings only (bad frames, failures), as JSON on stderr next to the parent's own log.
  const log = pino({ level: "warn" }, pino.destination(2));
  const server = new EmbeddedServer(log);
  // The port comes as an argument, not a variable: the store adds nothing to the app's configuration.
  const port = await server.listen(Number(process.argv[2] ?? 0));
  const quit = () => {
    server.close().finally(() => process.exit(0));
    setTimeout(() => process.exit(0), 2000).unref();
  };
  process.on("disconnect", quit);
  // Belt and braces: a parent killed while its IPC channel lingers is noticed by polling.
  const parent = process.ppid;
  setInterval(() => {
    try {
      process.kill(parent, 0);
    } catch {
      quit();
    }
  }, 2000).unref();
  process.on("SIGTERM", quit);
  process.on("SIGINT", quit);
  // One bad command must not take every test's database down with it: log and keep serving.
  process.on("uncaughtException", (error) => log.error({ err: error }, "embedded store: uncaught exception"));
  if (process.send) process.send({ port });
  else process.stdout.write(`${JSON.stringify({ port })}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(
    `embedded store could not start: ${error instanceof Error ? error.message : String(error)}\n`,
  );
  if (process.send) process.send({ error: error instanceof Error ? error.message : String(error) });
  process.exit(1);
});
