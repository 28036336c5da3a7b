import { createServer, type Server, type Socket } from "node:net";
import type { Doc } from "./bson-values";
import type { ServerLog, ServerState } from "./commands/context";
import { Cursors } from "./cursors";

export type { ServerLog };

import { runCommand } from "./commands/dispatch";
import { MAX_MESSAGE_SIZE_BYTES } from "./commands/handshake";
import { FrameReader } from "./protocol/frame-reader";
import {
  decodeRequest,
  encodeMsg,
  encodeReply,
  FrameError,
  MORE_TO_COME,
  OP_QUERY,
} from "./protocol/messages";
import { Sessions } from "./sessions";
import { Store } from "./storage/store";
import { sweepExpired } from "./ttl";

/** How often TTL indexes, expired transactions and idle cursors are swept (MongoDB's TTL monitor: 60 s). */
const SWEEP_MS = 2000;

/** The TCP side: one FrameReader per connection; commands run to completion one at a time. */
export class EmbeddedServer {
  private readonly server: Server;
  private readonly sockets = new Set<Socket>();
  private readonly state: ServerState;
  private sweeper: NodeJS.Timeout | undefined;
  private connections = 0;

  constructor(log: ServerLog) {
    const store = new Store();
    this.state = {
      store,
      cursors: new Cursors(),
      sessions: new Sessions(store),
      address: "127.0.0.1:0",
      setName: "crowdcart",
      log,
      stats: {
        startedAt: Date.now(),
        connectionsCurrent: 0,
        connectionsTotal: 0,
        opcounters: { insert: 0, query: 0, update: 0, delete: 0, getmore: 0, command: 0 },
      },
    };
    this.server = createServer((socket) => this.accept(socket));
  }

  async listen(port = 0, host = "127.0.0.1"): Promise<number> {
    await new Promise<void>((resolve, reject) => {
      this.server.once("error", reject);
      this.server.listen({ port, host, exclusive: true }, () => {
        this.server.off("error", reject);
        resolve();
      });
    });
    const address = this.server.address();
    const actual = typeof address === "object" && address ? address.port : port;
    this.state.address = `${host}:${actual}`;
    this.sweeper = setInterval(() => this.sweep(), SWEEP_MS);
    this.sweeper.unref();
    return actual;
  }

  private sweep(): void {
    try {
      sweepExpired(this.state.store);
      this.state.sessions.expire();
      this.state.cursors.reapIdle();
    } catch (error) {
      this.state.log.error({ err: error }, "embedded store: sweep failed");
    }
  }

  private accept(socket: Socket): void {
    const connectionId = ++this.connections;
    const reader = new FrameReader(MAX_MESSAGE_SIZE_BYTES);
    this.sockets.add(socket);
    const stats = this.state.stats;
    stats.connectionsCurrent += 1;
    stats.connectionsTotal += 1;
    socket.setNoDelay(true);
    socket.on("close", () => {
      this.sockets.delete(socket);
      stats.connectionsCurrent -= 1;
    });
    socket.on("error", () => socket.destroy());
    socket.on("data", (chunk: Buffer) => {
      try {
        const out: Buffer[] = [];
        for (const frame of reader.push(chunk)) {
          const reply = this.handle(frame, connectionId);
          if (reply) out.push(reply);
        }
        if (out.length === 1) socket.write(out[0] as Buffer);
        else if (out.length > 1) socket.write(Buffer.concat(out));
      } catch (error) {
        const reason = error instanceof Error ? error.message : String(error);
        this.state.log.warn({ connectionId, reason }, "embedded store: bad frame, closing that connection");
        socket.destroy();
      }
    });
  }

  private handle(frame: Buffer, connectionId: number): Buffer | undefined {
    const request = decodeRequest(frame);
    const reply: Doc = runCommand(request.command, this.state, connectionId, frame.length);
    if (request.opCode === OP_QUERY) return encodeReply(request.requestId, reply);
    if (request.flags & MORE_TO_COME) return undefined;
    return encodeMsg(request.requestId, reply);
  }

  async close(): Promise<void> {
    if (this.sweeper) clearInterval(this.sweeper);
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

export { FrameError };
