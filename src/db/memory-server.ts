import { connect } from "node:net";
import { DryMongoBinary, MongoMemoryReplSet } from "mongodb-memory-server";
import MongoBinaryDownloadUrl from "mongodb-memory-server-core/lib/util/MongoBinaryDownloadUrl";

import type { StartedServer } from "./database";

/**
 * A real `mongod` through mongodb-memory-server, but only when one can be had quickly: a cached
 * or system binary (`MONGOMS_SYSTEM_BINARY`), or a download host that answers within a few
 * seconds. An offline machine gets `undefined` at once instead of a hanging download.
 */
export async function startMemoryServer(probeMs = 3000): Promise<StartedServer | undefined> {
  if (!(await mongodObtainable(probeMs))) return undefined;
  const replSet = await MongoMemoryReplSet.create({ replSet: { count: 1, storageEngine: "wiredTiger" } });
  return { uri: replSet.getUri(), stop: async () => void (await replSet.stop()) };
}

async function mongodObtainable(probeMs: number): Promise<boolean> {
  const options = await DryMongoBinary.generateOptions();
  if (await DryMongoBinary.locateBinary(options)) return true;
  const url = await new MongoBinaryDownloadUrl(options).getDownloadUrl();
  return reachable(new URL(url).hostname, 443, probeMs);
}

function reachable(host: string, port: number, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port, timeout: timeoutMs });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.once("connect", () => done(true));
    socket.once("timeout", () => done(false));
    socket.once("error", () => done(false));
  });
}
