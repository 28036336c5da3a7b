import { parseArgs } from "node:util";
import pino from "pino";
import { IN_MEMORY, openDataDir } from "./persistence/open-data-dir";
import { EmbeddedServer } from "./server";

/**
 * The store's own process: `--port <n>` (0 = any free port), `--data-dir <dir>` (durable there;
 * in memory without it), `--compact-bytes <n>` (journal length that starts a snapshot).
 * Started by `startEmbeddedMongo` (it learns the port over IPC, and a closed IPC channel ends
 * this process) or alone by `npm run store` (the port is printed as a JSON line). SIGTERM stops it.
 */
async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      port: { type: "string", default: "0" },
      "data-dir": { type: "string" },
      "compact-bytes": { type: "string" },
    },
  });
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new Error(`--port must be a port number from 0 to 65535, not ${values.port}`);
  const alone = !process.send;
  // Warnings only under a parent (bad frames, failures), on stderr next to the parent's own log.
  const log = pino({ level: alone ? "info" : "warn" }, pino.destination(2));
  const dataDir = values["data-dir"];
  const compactBytes = values["compact-bytes"] ? Number(values["compact-bytes"]) : undefined;
  const durable =
    dataDir && dataDir !== IN_MEMORY ? await openDataDir(dataDir, log, compactBytes) : undefined;
  const server = new EmbeddedServer(log, durable);
  const listening = await server.listen(port);
  log.info(
    { port: listening, dataDir: durable?.dir ?? IN_MEMORY },
    `embedded store listening on 127.0.0.1:${listening}, ${durable ? `data in ${durable.dir}` : "in memory (nothing on disk)"}`,
  );
  let quitting = false;
  const quit = () => {
    if (quitting) return;
    quitting = true;
    server.close().finally(() => process.exit(0));
    setTimeout(() => process.exit(0), 5000).unref();
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
  // An operator (or a fault test) can ask for a snapshot now, e.g. before copying the directory.
  process.on("SIGUSR2", () => durable?.journal.compactNow());
  process.on("SIGTERM", quit);
  process.on("SIGINT", quit);
  // One bad command must not take every test's database down with it: log and keep serving.
  process.on("uncaughtException", (error) => log.error({ err: error }, "embedded store: uncaught exception"));
  if (process.send) process.send({ port: listening });
  else process.stdout.write(`${JSON.stringify({ port: listening })}\n`);
}

main().catch((error: unknown) => {
  const message = error instanceof Error ? error.message : String(error);
  // A parent reports the reason itself (one line): exit only once it has it.
  if (process.send) process.send({ error: message }, () => process.exit(1));
  else {
    process.stderr.write(`embedded store could not start: ${message}\n`);
    process.exit(1);
  }
});
