import type { Config } from "../../src/config";
import type { PlatformDefinition, PlatformSettings } from "../../src/platform";
import { settingsOf } from "../../src/platform";

/** `config` with some of one platform's settings changed (tuning no variable sets, e.g. a shorter wait). */
export function withSettings<S extends PlatformSettings>(
  config: Config,
  platform: PlatformDefinition<S>,
  changes: Partial<S>,
): Config {
  return {
    ...config,
    platforms: { ...config.platforms, [platform.id]: { ...settingsOf(config, platform), ...changes } },
  };
}
