import { z } from "zod";
import { httpUrl, type VariableSpecs } from "../../config/variables";

/** What the Medusa storefront needs, from MEDUSA_URL, MEDUSA_API_KEY and CATALOG_REFRESH. */
export interface MedusaSettings {
  /** The backend's base URL, e.g. https://shop.example.com:9000 (the Admin API lives under /admin). */
  url: string;
  /** A secret API key (`sk_…`) made in the Medusa admin. */
  apiKey: string;
  refreshEveryMs: number;
}

/** Read only with STOREFRONT=medusa, where both are required. */
export const MEDUSA_VARIABLES: VariableSpecs = {
  MEDUSA_URL: {
    schema: httpUrl(),
    expected: "the http(s) URL of your Medusa backend, such as https://shop.example.com:9000",
  },
  MEDUSA_API_KEY: {
    // A publishable key (pk_…) only opens the Store API: catching it here beats a 401 at the first order.
    schema: z.string().regex(/^sk_[A-Za-z0-9]{16,}$/),
    expected: "a secret API key from the Medusa admin (Settings → Secret API Keys), starting with sk_",
  },
};
