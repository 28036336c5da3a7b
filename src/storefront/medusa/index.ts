import { z } from "zod";
import type { Clock } from "../../clock";
import { httpUrl, type VariableSpecs } from "../../config/variables";
import type { Logger } from "../../logger";
import type { Storefront } from "../port";

/** STOREFRONT=medusa: its variables, both required then. */
export const MEDUSA_VARIABLES: VariableSpecs = {
  MEDUSA_URL: {
    schema: httpUrl(),
    expected: "the Medusa backend's URL, such as https://shop.example.com:9000",
  },
  MEDUSA_API_KEY: {
    schema: z.string().min(16),
    expected: "a secret API key from the Medusa admin (Settings → Secret API Keys)",
  },
};

export interface MedusaSettings {
  url: string;
  apiKey: string;
  refreshEveryMs: number;
}

/** Placeholder until the Medusa connector lands: the registry and config are wired to these names. */
export function createMedusaStorefront(
  _settings: MedusaSettings,
  _deps: { log: Logger; clock: Clock },
): Storefront {
  throw new Error("the Medusa storefront is not built yet");
}
