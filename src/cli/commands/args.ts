/** Flag parsing shared by the commands: a minimal parser (serve, info) and node:util's with usage errors. */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { UsageError } from '../command';

/**
 * node:util `parseArgs` over `argv` with the given options and no positional arguments; what it
 * rejects (an unknown option, a missing value) becomes a UsageError with its message.
 */
export function parseOptions<const T extends NonNullable<ParseArgsConfig['options']>>(argv: string[], options: T) {
  try {
    return parseArgs({ args: argv, options, allowPositionals: false }).values;
  } catch (err) {
    throw new UsageError(err instanceof Error ? err.message : String(err));
  }
}

/**
 * Parses `--name value`, `--name=value` and boolean `--flag` arguments. Unknown flags and
 * positional arguments are usage errors, so a typo never silently does something else.
 */
export function parseFlags(argv: string[], spec: { values?: string[]; booleans?: string[] }): Map<string, string | true> {
  const values = new Set(spec.values ?? []);
  const booleans = new Set(spec.booleans ?? []);
  const out = new Map<string, string | true>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    if (!arg.startsWith('--')) throw new UsageError(`unexpected argument '${arg}'.`);
    const eq = arg.indexOf('=');
    const name = arg.slice(2, eq < 0 ? undefined : eq);
    if (booleans.has(name) && eq < 0) {
      out.set(name, true);
    } else if (values.has(name)) {
      const value = eq >= 0 ? arg.slice(eq + 1) : argv[++i];
      if (value === undefined || value === '' || (eq < 0 && value.startsWith('--'))) throw new UsageError(`--${name} needs a value.`);
      out.set(name, value);
    } else {
      throw new UsageError(`unknown option '${arg}'.`);
    }
  }
  return out;
}

/** A TCP port from a flag value: an integer 0–65535 (0 = random). */
export function parsePort(value: string): number {
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError(`--port must be an integer from 0 to 65535, not '${value}'.`);
  return port;
}
