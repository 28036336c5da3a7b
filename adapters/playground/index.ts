import type { AdapterContext, ChatAdapter } from "../../src/platform";
import { createPlaygroundChannel } from "./channel";
import { createPlaygroundInbox } from "./inbox";
import { createPlaygroundMessenger } from "./messenger";
import { playgroundRoutes } from "./routes";
import type { PlaygroundSettings } from "./settings";

/** The web playground: a chat page served by crowdcart itself, its DMs kept in the database. */
export function createPlaygroundAdapter(settings: PlaygroundSettings, ctx: AdapterContext): ChatAdapter {
  if (settings.forcedInProduction) {
    ctx.log.warn(
      "PLAYGROUND=true in production: anyone who can open the page can act as any playground user",
    );
  }
  const inbox = createPlaygroundInbox(ctx.connection, ctx.clock);
  const channel = createPlaygroundChannel(ctx.connection, ctx.clock);
  const router = playgroundRoutes({
    chat: ctx.router,
    inbox,
    channel,
    publicUrl: ctx.publicUrl,
    log: ctx.log,
  });
  return {
    mounts: [{ path: "/", router }],
    messenger: createPlaygroundMessenger(inbox, channel),
    async start() {
      ctx.log.info(`playground: open ${ctx.publicUrl}/ in a browser to try the commands`);
    },
    async stop() {},
  };
}
