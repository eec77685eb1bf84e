/**
 * Bad usage of a command or library entry point (an unknown environment, rule id or format, a
 * missing argument): the message is one line fit for the command line, and commands exit 2.
 */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}
