import { type ChildProcess, spawn } from "node:child_process";
import { join } from "node:path";

export interface SpawnedService {
  child: ChildProcess;
  port: number;
  base: string;
  /** Every line the process printed so far (stdout and stderr). */
  output: string[];
  /** Resolves with the exit code (or signal name) once the process has ended. */
  exited: Promise<number | string>;
}

const ROOT = join(__dirname, "..", "..");

/**
 * Starts `src/main.ts` (or another `entry`) as its own process, the way `npm start` does, and
 * resolves once it logs the port it listens on. Used where a test needs a real process: signals,
 * crashes, two instances.
 */
export function spawnService(
  env: Record<string, string>,
  timeoutMs = 60_000,
  nodeArgs: string[] = [],
  entry = join(ROOT, "src", "main.ts"),
): Promise<SpawnedService> {
  const child = spawn(process.execPath, [...nodeArgs, "--require", "tsx/cjs", entry], {
    cwd: ROOT,
    // In memory unless the test names a data directory: a spawned service never touches ./data.
    env: { ...process.env, PORT: "0", LOG_LEVEL: "info", DATA_DIR: ":memory:", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const output: string[] = [];
  const exited = new Promise<number | string>((resolve) => {
    child.once("exit", (code, signal) => resolve(code ?? signal ?? "unknown"));
  });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`service did not start within ${timeoutMs} ms:\n${output.join("\n")}`));
    }, timeoutMs);
    const onLine = (line: string) => {
      output.push(line);
      const port = listeningPort(line);
      if (port === undefined) return;
      clearTimeout(timer);
      resolve({ child, port, base: `http://127.0.0.1:${port}`, output, exited });
    };
    for (const stream of [child.stdout, child.stderr]) {
      let buffered = "";
      stream?.setEncoding("utf8").on("data", (chunk: string) => {
        buffered += chunk;
        const lines = buffered.split("\n");
        buffered = lines.pop() ?? "";
        lines.forEach(onLine);
      });
    }
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`service exited (${code}) before listening:\n${output.join("\n")}`));
    });
  });
}

/** Resolves once the service has printed a line matching `pattern`; rejects if it exits first. */
export async function waitForLine(
  service: SpawnedService,
  pattern: RegExp,
  timeoutMs = 60_000,
): Promise<string> {
  let ended = false;
  void service.exited.then(() => {
    ended = true;
  });
  const until = Date.now() + timeoutMs;
  for (;;) {
    const line = service.output.find((l) => pattern.test(l));
    if (line !== undefined) return line;
    if (ended || Date.now() > until) {
      throw new Error(`the service never printed ${pattern}:\n${service.output.join("\n")}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

function listeningPort(line: string): number | undefined {
  try {
    const entry = JSON.parse(line) as { port?: unknown; msg?: unknown };
    return typeof entry.port === "number" && String(entry.msg).includes("listening") ? entry.port : undefined;
  } catch {
    return undefined;
  }
}
