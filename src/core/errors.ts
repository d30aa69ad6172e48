/** A problem in the configuration a user gave (flags, config file): the CLI prints its one-line message, exit 2. */
export class ConfigError extends Error {
  override name = "ConfigError";
}
