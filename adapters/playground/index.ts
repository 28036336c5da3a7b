import type { Connection } from "mongoose";
import type { Mount } from "../../src/app";
import type { ChatRouter } from "../../src/chat/router";
import type { Clock } from "../../src/clock";
import type { Messenger } from "../../src/engine/messenger";
import type { Logger } from "../../src/logger";
import { createPlaygroundChannel } from "./channel";
import { createPlaygroundInbox, type PlaygroundInbox } from "./inbox";
import { createPlaygroundMessenger } from "./messenger";
import { playgroundRoutes } from "./routes";

export interface PlaygroundAdapter {
  mount: Mount;
  messenger: Messenger;
  inbox: PlaygroundInbox;
}

export function createPlaygroundAdapter(deps: {
  connection: Connection;
  clock: Clock;
  log: Logger;
  chat: () => ChatRouter | undefined;
  publicUrl: () => string;
}): PlaygroundAdapter {
  const inbox = createPlaygroundInbox(deps.connection, deps.clock);
  const channel = createPlaygroundChannel(deps.connection, deps.clock);
  const router = playgroundRoutes({
    chat: deps.chat,
    inbox,
    channel,
    publicUrl: deps.publicUrl,
    log: deps.log,
  });
  return { mount: { path: "/", router }, messenger: createPlaygroundMessenger(inbox, channel), inbox };
}
