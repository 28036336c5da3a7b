import type { ChatRouter } from "../../src/chat/router";

/**
 * Counts the invocations `router` has finished handling, redeliveries included, so a test can wait
 * until a duplicate's handler is done too before it reads what the duplicate may have changed.
 */
export function countHandled(router: ChatRouter): () => number {
  const handle = router.handle.bind(router);
  let finished = 0;
  router.handle = async (invocation, options) => {
    try {
      return await handle(invocation, options);
    } finally {
      finished++;
    }
  };
  return () => finished;
}
