/** The embedded MongoDB-wire-compatible store (development and tests only). */
export interface EmbeddedMongo {
  /** An ordinary `mongodb://127.0.0.1:<port>/?replicaSet=...` URI. */
  uri: string;
  port: number;
  stop(): Promise<void>;
}

export interface EmbeddedMongoOptions {
  /** 0 or unset = a free port. A fixed port lets a test stop the store and bring it back at the same address. */
  port?: number;
  /** Run inside this process instead of a child process (the store's own unit tests). */
  inProcess?: boolean;
}

export async function startEmbeddedMongo(_options: EmbeddedMongoOptions = {}): Promise<EmbeddedMongo> {
  throw new Error("the embedded store is not available yet: set MONGODB_URI to a MongoDB server");
}
