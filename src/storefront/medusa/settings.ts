import { z } from "zod";
import { ConfigError, httpUrl, type VariableSpecs } from "../../config/variables";

/** What the Medusa storefront needs, validated from MEDUSA_URL, MEDUSA_API_KEY and CATALOG_REFRESH. */
export interface MedusaSettings {
  /** The backend's base URL, e.g. https://shop.example.com (the Admin API lives under /admin). */
  url: string;
  /** A secret API key (`sk_…`) made in the Medusa admin. */
  apiKey: string;
  refreshEveryMs: number;
}

export const MEDUSA_VARIABLES: VariableSpecs = {
  MEDUSA_URL: {
    schema: httpUrl().optional(),
    expected: "the http(s) URL of your Medusa backend, such as https://shop.example.com",
  },
  MEDUSA_API_KEY: {
    // A publishable key (pk_…) only reads the Store API: catching it here beats a 401 at the first order.
    schema: z
      .string()
      .regex(/^sk_[A-Za-z0-9]{16,}$/)
      .optional(),
    expected: "a secret API key from the Medusa admin (Settings → Secret API Keys), starting with sk_",
  },
};

/** The settings from MEDUSA_VARIABLES' values (read with `readVariables`), when STOREFRONT=medusa. */
export function medusaSettings(values: Record<string, unknown>, refreshEveryMs: number): MedusaSettings {
  const url = values.MEDUSA_URL as string | undefined;
  const apiKey = values.MEDUSA_API_KEY as string | undefined;
  if (!url)
    throw new ConfigError(
      "MEDUSA_URL",
      `${MEDUSA_VARIABLES.MEDUSA_URL!.expected} (STOREFRONT=medusa needs it)`,
    );
  if (!apiKey) {
    throw new ConfigError(
      "MEDUSA_API_KEY",
      `${MEDUSA_VARIABLES.MEDUSA_API_KEY!.expected} (STOREFRONT=medusa needs it)`,
    );
  }
  return { url: url.replace(/\/+$/, ""), apiKey, refreshEveryMs };
}
