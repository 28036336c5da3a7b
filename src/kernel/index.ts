/**
 * The few words every layer shares (who, a message, a reply): below the engine, the models, the
 * chat router and the adapters, importing none of them.
 */
export { type Platform, type UserIdentity, userKey } from "./identity";
export type { Button, ChannelMessage, DirectMessage, MessageContent } from "./messages";
export type { Reply } from "./reply";
