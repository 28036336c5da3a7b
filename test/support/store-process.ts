import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type SpawnedService, spawnService } from "./spawn-service";

/** The embedded store's process id, as a spawned service logs it when it starts the store. */
export function storePidOf(service: SpawnedService): number {
  for (const line of service.output) {
    try {
      const entry = JSON.parse(line) as { storePid?: unknown };
      if (typeof entry.storePid === "number") return entry.storePid;
    } catch {
      // not a JSON log line
    }
  }
  throw new Error(`the service logged no embedded store process:\n${service.output.join("\n")}`);
}

/** kill -9 of the embedded store and then of the service: nothing gets to shut down cleanly. */
export async function killWithStore(service: SpawnedService): Promise<void> {
  try {
    process.kill(storePidOf(service), "SIGKILL");
  } catch {
    // already killed
  }
  service.child.kill("SIGKILL");
  await service.exited;
}

/** A MongoDB URI of the embedded store a spawned service started (from its log). */
export function storeUriOf(service: SpawnedService): string {
  for (const line of service.output) {
    try {
      const entry = JSON.parse(line) as { store?: unknown; port?: unknown };
      if (entry.store === "embedded" && typeof entry.port === "number")
        return `mongodb://127.0.0.1:${entry.port}/?replicaSet=crowdcart`;
    } catch {
      // not a JSON log line
    }
  }
  throw new Error(`the service logged no embedded store:\n${service.output.join("\n")}`);
}

/** Lets the process write files only up to `bytes` long (the soft RLIMIT_FSIZE): a full disk. */
export function limitFileSize(pid: number, bytes: number | "unlimited"): void {
  execFileSync("prlimit", [`--pid=${pid}`, `--fsize=${bytes}:`]);
}

/** Services started one after another on one fresh DATA_DIR; `stopAll` kills them and removes it. */
export function onOneDataDir(prefix: string) {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  const services: SpawnedService[] = [];
  return {
    dir,
    /** A service on the shared directory; `env` adds settings (PAYMENTS=demo, say). */
    async start(env: Record<string, string> = {}): Promise<SpawnedService> {
      const service = await spawnService({ ...env, DATA_DIR: dir });
      services.push(service);
      return service;
    },
    async stopAll(): Promise<void> {
      for (const service of services) service.child.kill("SIGKILL");
      await Promise.all(services.map((s) => s.exited));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
