import { createServer, type Server, type Socket } from "node:net";
import type { Doc } from "./bson-values";
import type { ServerLog, ServerState } from "./commands/context";
import { Cursors } from "./cursors";
import { CommandError } from "./errors";

export type { ServerLog };

import { runCommand } from "./commands/dispatch";
import { MAX_MESSAGE_SIZE_BYTES } from "./commands/handshake";
import { HeldReplies } from "./held-replies";
import type { DurableStore } from "./persistence/open-data-dir";
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
  /** Replies waiting for the journal to make the writes they may show durable. */
  private readonly held = new HeldReplies();

  /** In memory only, or durable in a data directory (see persistence/). */
  constructor(
    log: ServerLog,
    private readonly durable?: DurableStore,
  ) {
    const store = durable?.store ?? new Store();
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
    if (durable) {
      durable.journal.onDurable = (upTo) => this.held.release(upTo);
      durable.journal.onFailure = (error, upTo) => this.journalFailed(error, upTo);
    }
  }

  /**
   * A group of writes could not be saved: their replies (and those of reads that may have seen
   * them) become errors, and the store goes back to what is on disk, so nothing unsaved is seen.
   */
  private journalFailed(error: Error, durableUpTo: number): void {
    const durable = this.durable!;
    this.state.log.error({ err: error, dir: durable.dir }, "embedded store: could not write the journal");
    this.held.fail(durableUpTo, journalError(error));
    const store = durable.reload();
    this.state.store = store;
    this.state.sessions = new Sessions(store);
  }

  /** Hands this command's changes to the journal; the number a reply must wait for (0: none). */
  private seal(): number {
    const journal = this.durable?.journal;
    if (!journal) return 0;
    const changes = this.state.store.changes.take();
    return changes ? journal.append(changes) : journal.lastAppended;
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
      this.seal();
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
      this.held.forget(socket);
    });
    socket.on("error", () => socket.destroy());
    socket.on("data", (chunk: Buffer) => {
      try {
        for (const frame of reader.push(chunk)) this.handle(socket, frame, connectionId);
        this.held.flush(socket, this.durable?.journal.lastDurable ?? 0);
      } catch (error) {
        const reason = error instanceof Error ? error.message : String(error);
        this.state.log.warn({ connectionId, reason }, "embedded store: bad frame, closing that connection");
        socket.destroy();
      }
    });
  }

  private handle(socket: Socket, frame: Buffer, connectionId: number): void {
    const request = decodeRequest(frame);
    const reply: Doc = runCommand(request.command, this.state, connectionId, frame.length);
    const waitFor = this.seal();
    if (request.opCode !== OP_QUERY && request.flags & MORE_TO_COME) return;
    const encode = request.opCode === OP_QUERY ? encodeReply : encodeMsg;
    this.held.add(socket, {
      waitFor,
      reply: encode(request.requestId, reply),
      failed: (failure) => encode(request.requestId, failure),
    });
  }

  async close(): Promise<void> {
    if (this.sweeper) clearInterval(this.sweeper);
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    // No new commands; replies still waiting for the journal go out before the connections close.
    for (const socket of this.sockets) socket.pause();
    await this.durable?.close();
    for (const socket of this.sockets) socket.destroy();
    await closed;
  }
}

/** The reply to a write that could not be saved: MongoDB's own code when the disk is full. */
function journalError(error: Error): Doc {
  const code = (error as NodeJS.ErrnoException).code ?? "EIO";
  const full = code === "ENOSPC" || code === "EFBIG" || code === "EDQUOT";
  return new CommandError(
    full ? 14031 : 1,
    full ? "OutOfDiskSpace" : "InternalError",
    `the embedded store could not save this write to disk (${code}: ${error.message}); it was not applied`,
  ).toReply();
}

export { FrameError };
