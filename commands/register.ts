import type { CommandDefinition } from "../src/chat/command";
import { userError } from "../src/engine/errors";
import { userKey } from "../src/kernel";

export const registerCommand: CommandDefinition = {
  name: "register",
  description: "Store your shipping region and contact email",
  visibility: "private",
  examples: ["/register region=EU", "/register region=US email=ana@example.com"],
  args: [
    {
      name: "region",
      type: "region",
      placeholder: "code",
      description: "Shipping region code, e.g. EU or US",
    },
    { name: "email", type: "email", placeholder: "addr", description: "Email address for shipping updates" },
  ],
  async run({ engine, user }, args) {
    const region = args.string("region");
    const email = args.string("email");
    if (region === undefined && email === undefined) {
      const me = await engine.users.get(userKey(user));
      if (!me?.region && !me?.email) {
        throw userError("NOTHING_TO_REGISTER");
      }
      return `Your details: region ${me.region ?? "not set"}, email ${me.email ?? "not set"}. Change them with /register region=<code> email=<addr>.`;
    }
    const saved = await engine.users.register(userKey(user), {
      ...(region !== undefined ? { region } : {}),
      ...(email !== undefined ? { email } : {}),
    });
    return `Saved: region ${saved.region ?? "not set"}, email ${saved.email ?? "not set"}.`;
  },
};
