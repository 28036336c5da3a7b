import { readFileSync } from "node:fs";

/** Resident memory of a process in MB, from /proc (Linux). */
export function rssMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const kb = Number(/VmRSS:\s+(\d+)\s+kB/.exec(status)?.[1] ?? Number.NaN);
  return kb / 1024;
}

/** CPU seconds (user + system) a process has used so far, from /proc (Linux; 100 ticks a second). */
export function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  // Fields after the parenthesised command name; utime and stime are the 14th and 15th overall.
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/** Where the CPU went between `start()` and `read()`, per named process. */
export function cpuMeter(pids: Record<string, number>): { read(): Record<string, number> } {
  const before = Object.fromEntries(Object.entries(pids).map(([name, pid]) => [name, cpuSeconds(pid)]));
  return {
    read: () =>
      Object.fromEntries(
        Object.entries(pids).map(([name, pid]) => [
          name,
          Number((cpuSeconds(pid) - before[name]!).toFixed(2)),
        ]),
      ),
  };
}
