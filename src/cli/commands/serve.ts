/** `tokenlab serve`: browser mode — the UI and contract on http://127.0.0.1 with an access token. */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { CliCommand } from '../command';
import { appRoot } from '../../engine/api/appRoot';
import { startServer } from '../../server/index';
import { parseFlags, parsePort } from './args';

export const serveCommand: CliCommand = {
  name: 'serve',
  summary: 'Start browser mode: the TokenLab UI at http://127.0.0.1:PORT with an access token',
  usage: `Usage: tokenlab serve [--port N] [--host ADDRESS]

Serves the TokenLab UI and API over HTTP/WebSocket and prints one line:
  TokenLab is running at http://127.0.0.1:PORT/?token=TOKEN
Open that URL in a browser. Requests without the token get 401; requests from other origins 403.

Options:
  --port N          Port to listen on (default: a random free port).
  --host ADDRESS    Interface to bind (default 127.0.0.1, this machine only). To reach a remote
                    machine, prefer an SSH tunnel (ssh -L PORT:127.0.0.1:PORT host) over 0.0.0.0.`,
  async run(argv) {
    const flags = parseFlags(argv, { values: ['port', 'host'] });
    const port = flags.has('port') ? parsePort(String(flags.get('port'))) : 0;
    const host = flags.has('host') ? String(flags.get('host')) : '127.0.0.1';
    const server = await startServer({ port, host });
    process.stdout.write(`TokenLab is running at ${server.url}\n`);
    if (!existsSync(join(appRoot(), 'out', 'renderer', 'index.html'))) {
      process.stderr.write('tokenlab serve: the UI is not built yet, so the page will say so; run `npm run build` (or use `npm start`, which builds first).\n');
    }
    if (host !== '127.0.0.1' && host !== 'localhost' && host !== '::1') {
      process.stderr.write(`tokenlab serve: listening on ${host}; anyone who can reach it and has the token can use this machine's engine.\n`);
    }
    let stopping = false;
    const stop = (): void => {
      if (stopping) process.exit(130); // a second Ctrl-C forces it
      stopping = true;
      void server.close().then(() => process.exit(0));
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
    return -1; // keep running until a signal arrives
  },
};
