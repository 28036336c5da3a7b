import { type ChildProcess, fork } from "node:child_process";
import { join } from "node:path";
import pino from "pino";
import { IN_MEMORY, openDataDir } from "./persistence/open-data-dir";
import { EmbeddedServer } from "./server";

export { DataDirInUse } from "./persistence/lock";
export { IN_MEMORY };

/** The embedded MongoDB-wire-compatible store: in memory, or durable in a data directory. */
export interface EmbeddedMongo {
  /** An ordinary `mongodb://127.0.0.1:<port>/?replicaSet=...` URI. */
  uri: string;
  port: number;
  /** The child process running the store now (unset in-process): fault tests pause or kill it. */
  readonly pid?: number | undefined;
  stop(): Promise<void>;
}

export interface EmbeddedMongoOptions {
  /** 0 or unset = a free port. A fixed port lets a test stop the store and bring it back at the same address. */
  port?: number;
  /** Run inside this process instead of a child process (the store's own unit tests). */
  inProcess?: boolean;
  /** Where the data is kept (journal, snapshots, LOCK); unset or `:memory:` = nothing on disk. */
  dataDir?: string;
  /** Journal length that starts a snapshot (tests use a small one to compact often). */
  compactBytes?: number;
  /** Start the child again when it dies unasked (the app's own store); tests that kill it leave this off. */
  restartOnCrash?: boolean;
  /** Told why the child is being started again. */
  onRestart?: (reason: string) => void;
}

const RESTART_FIRST_DELAY_MS = 500;
const RESTART_MAX_DELAY_MS = 30_000;

const SET_NAME = "crowdcart";
/** Generous: on a loaded 2-core machine loading TypeScript through tsx alone has taken 8 s. */
const START_LIMIT_MS = 90_000;

const uriFor = (port: number) => `mongodb://127.0.0.1:${port}/?replicaSet=${SET_NAME}`;

export async function startEmbeddedMongo(options: EmbeddedMongoOptions = {}): Promise<EmbeddedMongo> {
  if (options.inProcess) {
    // Warnings only (a client sending bad frames), on stderr like the child's.
    const log = pino({ level: "warn" }, pino.destination(2));
    const durable =
      options.dataDir && options.dataDir !== IN_MEMORY
        ? await openDataDir(options.dataDir, log, options.compactBytes)
        : undefined;
    const server = new EmbeddedServer(log, durable);
    const port = await server.listen(options.port ?? 0);
    return { uri: uriFor(port), port, stop: () => server.close() };
  }
  return startChild(options);
}

/**
 * The server in a child process, so its CPU stays off the caller's event loop. With
 * `restartOnCrash`, a child that dies (kill -9, out of memory) is started again at the same
 * port on the same data, so clients reconnect to the same URI by themselves.
 */
async function startChild(options: EmbeddedMongoOptions): Promise<EmbeddedMongo> {
  let running = await forkChild(options, options.port ?? 0);
  const port = running.port;
  let stopping = false;
  const watch = (child: ChildProcess) =>
    child.once("exit", (code, signal) => {
      if (stopping || !options.restartOnCrash) return;
      options.onRestart?.(
        `the embedded store's process ended (${signal ?? `code ${code}`}); starting it again`,
      );
      void restart(RESTART_FIRST_DELAY_MS);
    });
  const restart = async (delayMs: number): Promise<void> => {
    await new Promise((resolve) => setTimeout(resolve, delayMs).unref());
    if (stopping) return;
    try {
      running = await forkChild(options, port);
      // Stopped while it was starting: this one goes too.
      if (stopping) return void (await stopChild(running.child));
      watch(running.child);
    } catch (error) {
      options.onRestart?.(`the embedded store could not start again (${(error as Error).message}); retrying`);
      await restart(Math.min(delayMs * 2, RESTART_MAX_DELAY_MS));
    }
  };
  watch(running.child);
  return {
    uri: uriFor(port),
    port,
    get pid() {
      return running.child.pid;
    },
    stop: () => {
      stopping = true;
      return stopChild(running.child);
    },
  };
}

async function forkChild(
  options: EmbeddedMongoOptions,
  requestedPort: number,
): Promise<{ child: ChildProcess; port: number }> {
  // tsx's CommonJS hook only: its ESM loader would add a second V8 isolate (~40 MB) per process.
  const execArgv = ["--require", require.resolve("tsx/cjs")];
  // Profiling the store under a benchmark: a .cpuprofile lands in this directory when the store exits.
  const profileDir = process.env.EMBEDDED_MONGO_CPU_PROF;
  if (profileDir) execArgv.push("--cpu-prof", `--cpu-prof-dir=${profileDir}`);
  const args = ["--port", String(requestedPort)];
  if (options.dataDir) args.push("--data-dir", options.dataDir);
  if (options.compactBytes) args.push("--compact-bytes", String(options.compactBytes));
  const child = fork(join(__dirname, "server-entry.ts"), args, {
    execArgv,
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(
      () => fail(new Error("the embedded store did not start within 90 s")),
      START_LIMIT_MS,
    );
    const fail = (error: Error) => {
      clearTimeout(timer);
      child.kill("SIGKILL");
      reject(error);
    };
    child.once("error", fail);
    child.once("exit", (code) =>
      fail(new Error(`the embedded store exited during start (code ${String(code)})`)),
    );
    child.once("message", (message: unknown) => {
      clearTimeout(timer);
      const m = message as { port?: unknown; error?: unknown };
      if (typeof m.port === "number") resolve(m.port);
      else fail(new Error(String(m.error)));
    });
  });
  child.removeAllListeners("exit");
  child.removeAllListeners("error");
  // Neither the child nor its IPC channel may keep this process alive.
  child.unref();
  child.channel?.unref();
  return { child, port };
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill("SIGKILL"), 3000);
    child.once("exit", () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill("SIGTERM");
  });
}
