import type { SpawnedService } from "./spawn-service";

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
  process.kill(storePidOf(service), "SIGKILL");
  service.child.kill("SIGKILL");
  await service.exited;
}
