import autocannon from "autocannon";
import { slackHeaders, slashCommandBody } from "../../test/support/slack-sign";
import { cpuSeconds } from "./proc";
import { BENCH_SIGNING_SECRET } from "./slack-request";

/** One server under test: crowdcart or the naive bot. */
export interface Contender {
  name: string;
  base: string;
  /** The server's process, whose CPU time each round is charged. */
  pid: number;
  /** Where a reply that missed the acknowledgement would be posted (never waited for here). */
  responseUrl: string;
  /** The embedded store's process, when it runs here: its CPU per answered request is reported too. */
  storePid?: number;
}

/** A slash command, or a plain GET when `command` is absent. */
export interface Workload {
  name: string;
  /** The i-th request sent to one contender (numbered per contender, across rounds). */
  request(
    i: number,
    contender: Contender,
  ): { command: string; text: string; userId: string } | { get: string };
  /** Whether a reply text is the command's answer (not an error, not empty). */
  answered(text: string, contender: Contender): boolean;
}

export interface RoundResult {
  /** Answered requests per second: a reply in the acknowledgement that `answered` accepts. */
  perSecond: number;
  p50: number;
  p99: number;
  max: number;
  answered: number;
  /** Every other response: errors, empty acknowledgements, non-200, timeouts. */
  other: number;
  /** The server's CPU time per answered request: what the command costs, whatever else runs. */
  cpuMs: number;
  /** The store's CPU time per answered request during this round (NaN when the store is elsewhere). */
  storeCpuMs: number;
}

export interface Options {
  /** Requests sent to each contender, unmeasured, before the rounds (JIT, pools, first-time writes). */
  warmup: number;
  rounds: number;
  seconds: number;
  connections: number;
}

/**
 * Drives each contender with the same unique signed requests from autocannon, alternating which
 * goes first each round, and returns every round's figures per contender. Both servers stay up the
 * whole time, so noise from the rest of the machine falls on both alike.
 */
export async function alternate(
  contenders: Contender[],
  workload: Workload,
  options: Options,
): Promise<Map<string, RoundResult[]>> {
  const results = new Map<string, RoundResult[]>(contenders.map((c) => [c.name, []]));
  // Request numbers run on across the warm-up and the rounds, so no request is ever repeated.
  const counters = new Map(contenders.map((c) => [c.name, { next: 0 }]));
  for (const contender of contenders) {
    if (options.warmup > 0) {
      await load(contender, workload, { ...options, amount: options.warmup }, counters.get(contender.name)!);
    }
  }
  for (let round = 0; round < options.rounds; round++) {
    const order = round % 2 === 0 ? contenders : [...contenders].reverse();
    for (const contender of order) {
      results
        .get(contender.name)
        ?.push(await load(contender, workload, options, counters.get(contender.name)!));
    }
  }
  return results;
}

async function load(
  contender: Contender,
  workload: Workload,
  options: Options & { amount?: number },
  counter: { next: number },
): Promise<RoundResult> {
  let answered = 0;
  const request: autocannon.Request = {
    method: "POST",
    path: "/slack/events",
    setupRequest: (req) => {
      const index = counter.next++;
      const spec = workload.request(index, contender);
      if ("get" in spec) return { ...req, method: "GET", path: spec.get };
      const body = slashCommandBody({
        ...spec,
        responseUrl: contender.responseUrl,
        triggerId: `bench.${process.pid}.${++triggers}`,
      });
      return {
        ...req,
        method: "POST",
        path: "/slack/events",
        body,
        headers: {
          "content-type": "application/x-www-form-urlencoded",
          ...slackHeaders(body, BENCH_SIGNING_SECRET),
        },
      };
    },
    onResponse: (status, body) => {
      if (status !== 200) return;
      const text = body.startsWith("{")
        ? String((JSON.parse(body) as { text?: unknown }).text ?? body)
        : body;
      if (workload.answered(text, contender)) answered++;
    },
  };
  const cpuBefore = cpuSeconds(contender.pid);
  const storeBefore = contender.storePid ? cpuSeconds(contender.storePid) : Number.NaN;
  const result = await autocannon({
    url: contender.base,
    connections: options.connections,
    // A count, when given, takes precedence over the duration.
    duration: options.seconds,
    ...(options.amount ? { amount: options.amount } : {}),
    requests: [request],
  });
  const total = result.requests.total + result.errors + result.timeouts;
  return {
    perSecond: answered / result.duration,
    p50: result.latency.p50,
    p99: result.latency.p99,
    max: result.latency.max,
    answered,
    other: total - answered,
    cpuMs: (1000 * (cpuSeconds(contender.pid) - cpuBefore)) / Math.max(1, answered),
    storeCpuMs: contender.storePid
      ? (1000 * (cpuSeconds(contender.storePid) - storeBefore)) / Math.max(1, answered)
      : Number.NaN,
  };
}

/** Every request in a run gets its own trigger_id: the same one twice is a retry, answered from record. */
let triggers = 0;

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[mid] ?? Number.NaN) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
}
