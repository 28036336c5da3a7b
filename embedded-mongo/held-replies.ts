import type { Socket } from "node:net";
import type { Doc } from "./bson-values";

export interface HeldReply {
  /** The journal record that must be durable before this reply may go out (0: none). */
  waitFor: number;
  reply: Buffer;
  /** The same request answered with an error, should its record never become durable. */
  failed: (failure: Doc) => Buffer;
}

/**
 * Replies in the order their requests came, per connection, each held until the journal has
 * made durable every write it may show. A reply that waits for nothing and has nothing queued
 * before it is written at once.
 */
export class HeldReplies {
  private readonly queues = new Map<Socket, HeldReply[]>();

  add(socket: Socket, held: HeldReply): void {
    const queue = this.queues.get(socket);
    if (queue) queue.push(held);
    else this.queues.set(socket, [held]);
  }

  /** Writes, in order, the replies of `socket` whose records are durable up to `durable`. */
  flush(socket: Socket, durable: number): void {
    const queue = this.queues.get(socket);
    if (!queue) return;
    let n = 0;
    while (n < queue.length && (queue[n] as HeldReply).waitFor <= durable) n += 1;
    if (n === 0) return;
    const out = queue.splice(0, n).map((h) => h.reply);
    if (queue.length === 0) this.queues.delete(socket);
    write(socket, out);
  }

  /** The journal is durable up to `durable`: every connection gets the replies that were waiting for it. */
  release(durable: number): void {
    for (const socket of [...this.queues.keys()]) this.flush(socket, durable);
  }

  /** Records after `durable` were lost: their replies, and every later one held, become `failure`. */
  fail(durable: number, failure: Doc): void {
    for (const [socket, queue] of this.queues) {
      write(
        socket,
        queue.map((h) => (h.waitFor <= durable ? h.reply : h.failed(failure))),
      );
    }
    this.queues.clear();
  }

  forget(socket: Socket): void {
    this.queues.delete(socket);
  }
}

function write(socket: Socket, out: Buffer[]): void {
  if (socket.destroyed) return;
  if (out.length === 1) socket.write(out[0] as Buffer);
  else socket.write(Buffer.concat(out));
}
