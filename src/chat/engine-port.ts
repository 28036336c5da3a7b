import type { Carts } from "../engine/cart";
import type { Catalog } from "../engine/catalog";
import type { Groups } from "../engine/groups";
import type { Payments } from "../engine/payments";
import type { Points } from "../engine/points";
import type { Users } from "../engine/users";

/**
 * The engine as commands and the router see it: the operations they call, and nothing of the
 * engine's insides (its models, transactions or workers). Types only, so src/chat never constructs
 * the engine; the composition root hands the real one in.
 */
export interface CommandEngine {
  groups: Pick<Groups, "open" | "joinOrWait" | "status" | "leave" | "act">;
  carts: Pick<Carts, "show" | "add" | "remove" | "checkout" | "resume">;
  /** The router records callers and the people they mention; /register reads and writes the rest. */
  users: Pick<Users, "touch" | "ensureMany" | "resolveByUsername" | "get" | "register">;
  catalog: Pick<Catalog, "list">;
  points: Pick<Points, "statement">;
  /** Whether PAYMENTS moves money: replies then speak of charges, not points. */
  payments: Pick<Payments, "on">;
}
