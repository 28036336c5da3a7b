import type { Platform } from "./identity";

/** A link or an action offered under a message. `command` is run as if the recipient typed it. */
export interface Button {
  label: string;
  url?: string;
  command?: string;
}

/** What a message shows: neutral text, plain URLs, optional buttons. */
export interface MessageContent {
  text: string;
  buttons?: Button[];
}

/** A direct message as the engine writes it to the outbox. */
export interface DirectMessage extends MessageContent {
  /** Stable id (the outbox id): a platform that supports it uses it to drop duplicates. */
  id: string;
  platform: Platform;
  /** Platform-native user id (see UserIdentity.id). */
  userId: string;
}

/** A message for everyone in a channel or group chat (a group's status card, say). */
export interface ChannelMessage extends MessageContent {
  /** Stable id: a platform that supports it uses it to drop duplicates. */
  id: string;
  platform: Platform;
  /** Platform-native id of the channel or group chat, as its adapter reports it. */
  channelId: string;
}
