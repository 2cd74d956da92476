import { invalidOptionMessage } from '../polar.messages.js';

/**
 * Thrown at start-up for a missing or malformed option or environment variable: every start-up
 * mistake of the module is one of these (or a subclass), so one `instanceof` catches them all. The
 * message names the option, never its value.
 */
export class PolarConfigurationError extends Error {
  constructor(
    message: string,
    /** The option (e.g. `'webhooks.secrets'`) or environment variable at fault, when there is one. */
    readonly option?: string,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

/** Throws the start-up error for `option` breaking `rule` (the one way option rules fail). */
export function failOption(option: string, rule: string): never {
  throw new PolarConfigurationError(invalidOptionMessage(option, rule), option);
}
