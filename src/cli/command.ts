/** One `tokenlab <name>` sub-command. */
export interface CliCommand {
  /** The word after `tokenlab`. */
  name: string;
  /** One line for `tokenlab help`. */
  summary: string;
  /** Full usage text printed by `tokenlab <name> --help` and on a usage error. */
  usage: string;
  /** Runs the command with the arguments after its name; resolves to the process exit code. */
  run(argv: string[]): Promise<number>;
}

/** A mistake in how a command was called: printed with the command's usage, exit code 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}
