import type { Platform } from "./identity";

/** A link or an action offered under a message. `command` is run as if the recipient typed it. */
export interface Button {
  label: string;
  url?: string;
  command?: string;
}

/** A direct message as the engine writes it to the outbox: neutral text, plain URLs, optional buttons. */
export interface DirectMessage {
  /** Stable id (the outbox id): a platform that supports it uses it to drop duplicates. */
  id: string;
  platform: Platform;
  /** Platform-native user id (see UserIdentity.id). */
  userId: string;
  text: string;
  buttons?: Button[];
}
