/**
 * A single-document write that meets a document a transaction is writing (a checkout, a reissue)
 * can be refused with WriteConflict instead of waiting, as the embedded store does. Such a write
 * changed nothing, so it is simply tried again after a short, jittered pause.
 */
export function isWriteConflict(error: unknown): boolean {
  if (typeof error !== "object" || error === null) return false;
  const { code, errorLabels } = error as { code?: unknown; errorLabels?: unknown };
  if (code === 112) return true;
  return Array.isArray(errorLabels) && errorLabels.includes("TransientTransactionError");
}

export async function retryingConflicts<T>(fn: () => Promise<T>, rounds = 60): Promise<T> {
  for (let round = 0; ; round++) {
    try {
      return await fn();
    } catch (error) {
      if (!isWriteConflict(error) || round >= rounds - 1) throw error;
      await new Promise((resolve) => setTimeout(resolve, 1 + Math.random() * Math.min(50, 2 ** round)));
    }
  }
}
