import { Binary } from "bson";
import { type Doc, isPlainObject } from "./bson-values";
import { CommandError, noSuchTransaction } from "./errors";
import type { Store } from "./storage/store";
import { Transaction } from "./storage/transaction";

/** MongoDB aborts a transaction that stays open longer than this (transactionLifetimeLimitSeconds). */
const TRANSACTION_LIFETIME_MS = 60_000;

function sessionKey(lsid: unknown): string | undefined {
  if (!isPlainObject(lsid)) return undefined;
  const id = lsid.id;
  if (id instanceof Binary) return Buffer.from(id.value()).toString("hex");
  return id === undefined ? undefined : String(id);
}

function toBigInt(v: unknown): bigint | undefined {
  if (v === undefined || v === null) return undefined;
  try {
    return BigInt(String(v));
  } catch {
    return undefined;
  }
}

/** Logical sessions and the transaction each one has open. */
export class Sessions {
  private readonly transactions = new Map<string, Transaction>();

  constructor(private readonly store: Store) {}

  /**
   * The transaction a command runs in, starting one on `startTransaction`. Commands without
   * `autocommit: false` run outside any transaction (retryable writes carry a txnNumber too).
   */
  transactionFor(command: Doc): Transaction | undefined {
    if (command.autocommit !== false) return undefined;
    const key = sessionKey(command.lsid);
    const txnNumber = toBigInt(command.txnNumber);
    if (key === undefined || txnNumber === undefined) {
      throw new CommandError(50768, "InvalidOptions", "a transaction needs lsid and txnNumber");
    }
    const current = this.transactions.get(key);
    if (command.startTransaction === true) {
      if (current && current.txnNumber >= txnNumber && current.state !== "aborted") {
        throw new CommandError(
          225,
          "TransactionTooOld",
          `txnNumber ${txnNumber} is not newer than the session's ${current.txnNumber}`,
        );
      }
      if (current?.state === "active") this.store.abort(current);
      const txn = new Transaction(`${key}:${txnNumber}`, txnNumber, this.store.currentSeq(), Date.now());
      this.store.begin(txn);
      this.transactions.set(key, txn);
      return txn;
    }
    if (!current || current.txnNumber !== txnNumber) throw noSuchTransaction(String(txnNumber));
    return current;
  }

  /** Aborts the transaction after a failed statement, as MongoDB does. */
  abortOnError(txn: Transaction | undefined): void {
    if (txn?.state === "active") this.store.abort(txn);
  }

  commit(txn: Transaction): void {
    if (txn.state === "committed") return; // a retried commit succeeds again
    if (txn.state === "aborted") throw noSuchTransaction(String(txn.txnNumber));
    this.store.commit(txn);
  }

  abort(txn: Transaction): void {
    if (txn.state === "committed") {
      throw new CommandError(
        256,
        "TransactionCommitted",
        "Transaction has been committed; it cannot be aborted",
      );
    }
    if (txn.state === "aborted") throw noSuchTransaction(String(txn.txnNumber));
    this.store.abort(txn);
  }

  end(lsids: unknown[]): void {
    for (const lsid of lsids) {
      const key = sessionKey(lsid);
      if (key === undefined) continue;
      const txn = this.transactions.get(key);
      if (txn?.state === "active") this.store.abort(txn);
      this.transactions.delete(key);
    }
  }

  /** Aborts transactions past their lifetime so their locks never block writers for long. */
  expire(now = Date.now()): void {
    for (const [key, txn] of this.transactions) {
      if (txn.state === "active" && now - txn.startedAt > TRANSACTION_LIFETIME_MS) this.store.abort(txn);
      if (txn.state !== "active" && now - txn.startedAt > 30 * 60_000) this.transactions.delete(key);
    }
  }
}
