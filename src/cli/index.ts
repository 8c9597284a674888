import { commands } from './commands/index';
import { UsageError } from './command';

function printHelp(): void {
  const width = Math.max(...commands.map((c) => c.name.length), 4);
  const lines = commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`);
  process.stdout.write(`Usage: tokenlab <command> [options]\n\nCommands:\n${lines.join('\n')}\n\nRun 'tokenlab <command> --help' for a command's options.\n`);
}

/** Dispatches `tokenlab <command> ...`; resolves to the exit code. */
export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === 'help' || name === '--help' || name === '-h') {
    printHelp();
    return 0;
  }
  const command = commands.find((c) => c.name === name);
  if (!command) {
    process.stderr.write(`tokenlab: unknown command '${name}'.\n`);
    printHelp();
    return 2;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    process.stdout.write(`${command.usage}\n`);
    return 0;
  }
  try {
    return await command.run(rest);
  } catch (err) {
    if (err instanceof UsageError) {
      process.stderr.write(`tokenlab ${name}: ${err.message}\n\n${command.usage}\n`);
      return 2;
    }
    process.stderr.write(`tokenlab ${name}: ${err instanceof Error ? err.message : String(err)}\n`);
    return 1;
  }
}

const code = await main(process.argv.slice(2));
// Servers keep the event loop alive on purpose; everything else exits with its code.
if (code !== -1) process.exit(code);
