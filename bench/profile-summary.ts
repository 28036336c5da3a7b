/**
 * Summarises a V8 CPU profile (`node --cpu-prof`) as the functions with the most self time.
 * Run: npx tsx bench/profile-summary.ts <file.cpuprofile> [top=25]
 */
import { readFileSync } from "node:fs";
import { printTable } from "./support/stats";

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

const [file, topArg] = process.argv.slice(2);
if (!file) {
  console.error("usage: npx tsx bench/profile-summary.ts <file.cpuprofile> [top]");
  process.exit(2);
}
const profile = JSON.parse(readFileSync(file, "utf8")) as Profile;
const byId = new Map(profile.nodes.map((node) => [node.id, node]));
const selfUs = new Map<string, number>();
const packageUs = new Map<string, number>();
let totalUs = 0;
profile.samples.forEach((id, i) => {
  const node = byId.get(id);
  const delta = profile.timeDeltas[i] ?? 0;
  if (!node) return;
  totalUs += delta;
  const { functionName, url, lineNumber } = node.callFrame;
  const where = url
    ? `${url.replace(/^.*node_modules\//, "~/").replace(/^.*\/work\/main\//, "")}:${lineNumber + 1}`
    : "";
  const key = `${functionName || "(anonymous)"} ${where}`.trim();
  selfUs.set(key, (selfUs.get(key) ?? 0) + delta);
  const owner = ownerOf(url, functionName);
  packageUs.set(owner, (packageUs.get(owner) ?? 0) + delta);
});
const rows = [...selfUs.entries()]
  .sort((a, b) => b[1] - a[1])
  .slice(0, Number(topArg ?? 25))
  .map(([frame, us]) => ({
    "self %": ((100 * us) / totalUs).toFixed(1),
    "self ms": Math.round(us / 1000),
    frame,
  }));
printTable(`Top frames by self time (${Math.round(totalUs / 1000)} ms sampled)`, rows);

printTable(
  "Self time by owner (package, our folder, or node's own)",
  [...packageUs.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, 20)
    .map(([owner, us]) => ({
      "self %": ((100 * us) / totalUs).toFixed(1),
      "self ms": Math.round(us / 1000),
      owner,
    })),
);

/** `mongodb`, `@slack/bolt`, `src/engine`, `node:` internals, or V8's own entries such as (garbage collector). */
function ownerOf(url: string, functionName: string): string {
  if (!url) return functionName.startsWith("(") ? functionName : "node (native)";
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (pkg) return pkg[1]!;
  if (url.startsWith("node:")) return "node (internal)";
  const ours = /\/work\/main\/([^/]+(?:\/[^/]+)?)\//.exec(url);
  return ours ? ours[1]! : url;
}
