export interface PlaygroundSettings {
  /** PLAYGROUND; on by default except in production. */
  enabled: boolean;
  /** Asked for in production: worth a warning in the log. */
  forcedInProduction: boolean;
}
