import { FrameError } from "./messages";

/** Splits a TCP byte stream into whole wire-protocol messages, refusing impossible lengths early. */
export class FrameReader {
  private chunks: Buffer[] = [];
  private buffered = 0;

  constructor(private readonly maxMessageSize: number) {}

  push(chunk: Buffer): Buffer[] {
    this.chunks.push(chunk);
    this.buffered += chunk.length;
    const frames: Buffer[] = [];
    while (this.buffered >= 4) {
      const head = this.chunks[0] as Buffer;
      const length = head.length >= 4 ? head.readInt32LE(0) : this.peek(4).readInt32LE(0);
      if (length < 16) throw new FrameError(`message length ${length} is below the 16-byte header`);
      if (length > this.maxMessageSize) {
        throw new FrameError(`message length ${length} exceeds maxMessageSizeBytes ${this.maxMessageSize}`);
      }
      if (this.buffered < length) break;
      frames.push(this.take(length));
    }
    return frames;
  }

  private peek(n: number): Buffer {
    const all = Buffer.concat(this.chunks);
    this.chunks = [all];
    return all.subarray(0, n);
  }

  private take(n: number): Buffer {
    const first = this.chunks[0] as Buffer;
    let out: Buffer;
    if (first.length >= n) {
      out = first.subarray(0, n);
      if (first.length === n) this.chunks.shift();
      else this.chunks[0] = first.subarray(n);
    } else {
      const all = Buffer.concat(this.chunks);
      out = all.subarray(0, n);
      this.chunks = all.length > n ? [all.subarray(n)] : [];
    }
    this.buffered -= n;
    return out;
  }
}
