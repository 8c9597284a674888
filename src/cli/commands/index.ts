import type { CliCommand } from '../command';
import { benchCommand } from './bench';
import { evalCommand } from './eval';
import { flopsCommand } from './flops';
import { infoCommand } from './info';
import { methodsCommand } from './methods';
import { runCommand } from './run';
import { serveCommand } from './serve';

/**
 * Every shipped sub-command, in the order `tokenlab help` lists them.
 * Only commands that work are listed here.
 */
export const commands: CliCommand[] = [
  serveCommand,
  infoCommand,
  flopsCommand,
  runCommand,
  evalCommand,
  benchCommand,
  methodsCommand,
];
