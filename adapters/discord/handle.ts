import {
  DiscordAPIError,
  InteractionResponseType,
  MessageFlags,
  PermissionFlagsBits,
  PermissionsBitField,
  type REST,
  Routes,
} from "discord.js";
import { type ChatRouter, findCommand } from "../../src/chat/router";
import type { Reply } from "../../src/kernel";
import type { Logger } from "../../src/logger";
import type { DiscordNames } from "./names";
import { INTERACTION, parseInteraction, type RawInteraction } from "./parse";
import { renderDiscord } from "./render";

/** The first answer to an interaction: the HTTP response body, or a callback POST on the gateway path. */
export type InitialResponder = (body: { type: number; data?: Record<string, unknown> }) => Promise<void>;

export interface DiscordHandlerDeps {
  router: ChatRouter;
  /** Waits out rate limits (follow-ups must arrive, late rather than never). */
  rest: REST;
  applicationId: string;
  /** Names for the members a command mentions. */
  names: DiscordNames;
  log: Logger;
}

/**
 * A server's admins are its members with Manage Server (or Administrator, which implies it), as
 * the interaction itself reports their permissions: nothing to ask, nothing to cache. A direct
 * message has no server and so no admins.
 */
function serverAdmin(interaction: RawInteraction) {
  const guildId = interaction.guild_id;
  const permissions = interaction.member?.permissions;
  if (!guildId) return {};
  const isAdmin = async () => {
    if (permissions === undefined || !/^\d+$/.test(permissions)) return false;
    return new PermissionsBitField(BigInt(permissions)).has(PermissionFlagsBits.ManageGuild);
  };
  return { admin: { space: guildId, isAdmin } };
}

/** Discord's answer to a second initial response to one interaction. */
const ALREADY_ACKNOWLEDGED = 40060;

/**
 * One handler for both ways interactions arrive. Discord wants an answer within 3 seconds, so
 * every command is deferred at once (ephemeral when its reply is private) and the reply follows
 * through the interaction webhook, however long the command took.
 */
export function createDiscordHandler(deps: DiscordHandlerDeps) {
  return async function handle(payload: unknown, respond: InitialResponder): Promise<void> {
    const parsed = parseInteraction(payload);
    if (parsed.kind === "ping") return respond({ type: InteractionResponseType.Pong });
    if (parsed.kind === "ignore") {
      const type = (payload as { type?: unknown })?.type;
      if (type === INTERACTION.AUTOCOMPLETE) {
        return respond({
          type: InteractionResponseType.ApplicationCommandAutocompleteResult,
          data: { choices: [] },
        });
      }
      return respond({
        type: InteractionResponseType.ChannelMessageWithSource,
        data: { content: "This action is not available.", flags: MessageFlags.Ephemeral },
      });
    }
    const { router } = deps;
    const { invocation, fromButton } = parsed;
    const interaction = invocation.raw as RawInteraction;
    // A button answers only the one who pressed it; a command as its definition says.
    const privateReply =
      fromButton || findCommand(router.commands, invocation.command)?.visibility !== "channel";
    try {
      await respond({
        type: InteractionResponseType.DeferredChannelMessageWithSource,
        ...(privateReply ? { data: { flags: MessageFlags.Ephemeral } } : {}),
      });
    } catch (error) {
      // The same interaction delivered twice: the delivery that acknowledged it first answers it.
      if (error instanceof DiscordAPIError && error.code === ALREADY_ACKNOWLEDGED) return;
      throw error;
    }

    const reply = await router.handle(invocation, {
      resolveMention: (ref) => deps.names.resolve(ref, interaction.data?.resolved),
      ...serverAdmin(interaction),
    });
    // The same interaction id seen again: its answer already went to the first delivery.
    if (reply.replayed) return;
    await followUp(interaction, reply, privateReply);
  };

  /**
   * The deferred "thinking…" message becomes the reply's first message; a reply longer than one
   * message continues in follow-ups, with the same visibility.
   */
  async function followUp(
    interaction: RawInteraction,
    reply: Reply,
    deferredPrivately: boolean,
  ): Promise<void> {
    const appId = interaction.application_id || deps.applicationId;
    const wantsPrivate = reply.visibility === "private" || Boolean(reply.errorCode);
    const original = Routes.webhookMessage(appId, interaction.token, "@original");
    const more = Routes.webhook(appId, interaction.token);
    try {
      if (wantsPrivate && !deferredPrivately) {
        // An error (or a private answer) to a public command: take the public "thinking…" away
        // and tell only the caller.
        await deps.rest.delete(original, { auth: false });
        for (const body of renderDiscord(reply.text, reply.buttons, "private")) {
          await deps.rest.post(more, { body, auth: false });
        }
        return;
      }
      const [first, ...rest] = renderDiscord(
        reply.text,
        reply.buttons,
        deferredPrivately ? "private" : "channel",
      );
      // An edit cannot change whether the message is ephemeral: the deferral decided that.
      await deps.rest.patch(original, {
        body: { ...first, flags: MessageFlags.SuppressEmbeds },
        auth: false,
      });
      for (const body of rest) await deps.rest.post(more, { body, auth: false });
    } catch (error) {
      deps.log.warn({ err: error, interaction: interaction.id }, "discord follow-up not delivered");
    }
  }
}
