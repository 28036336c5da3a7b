import type { Engine } from "../engine";

/**
 * The engine as commands and the router see it. A type only, so src/chat never constructs the
 * engine; the composition root hands the real one in.
 */
export type CommandEngine = Engine;
