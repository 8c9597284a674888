#!/usr/bin/env node
// `npm start`: build if needed, then open the desktop app; without the Electron runtime, try
// once (bounded by a timeout) to download it, and otherwise start browser mode and print its
// URL. It must never hang offline: every step that touches the network has a deadline.
//
// Options: --browser (skip Electron), --port N, --host ADDRESS (browser mode).
// Environment: TOKENLAB_ELECTRON_INSTALL_TIMEOUT_MS (default 45000); ELECTRON_MIRROR is passed
// to Electron's installer. For tests: TOKENLAB_ELECTRON_DIR (where to look for the runtime),
// TOKENLAB_ELECTRON_INSTALL_SCRIPT (the installer to run), TOKENLAB_SKIP_BUILD=1 (use out/ as is,
// so a test never rebuilds the UI under another test that is serving it).
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { ensureBuild, root } from './ensure-build.js';

const say = (line) => process.stderr.write(`${line}\n`);
const electronDir = process.env.TOKENLAB_ELECTRON_DIR || join(root, 'node_modules', 'electron');
const installScript = process.env.TOKENLAB_ELECTRON_INSTALL_SCRIPT || join(root, 'node_modules', 'electron', 'install.js');
const installTimeoutMs = Number(process.env.TOKENLAB_ELECTRON_INSTALL_TIMEOUT_MS || 45_000);
const HOW_TO_GET_DESKTOP = [
  'To get the desktop app: connect to the internet and run',
  '  node node_modules/electron/install.js',
  '(behind a firewall set ELECTRON_MIRROR to a reachable Electron mirror first), then `npm start` again.',
].join('\n');

/** The Electron executable when the runtime is downloaded, else undefined. */
function electronExecutable() {
  try {
    const relative = readFileSync(join(electronDir, 'path.txt'), 'utf8').trim();
    const executable = join(electronDir, 'dist', relative);
    return relative && existsSync(executable) ? executable : undefined;
  } catch {
    return undefined;
  }
}

/** A display is needed for a window; over SSH or in CI there is none, so browser mode it is. */
function hasDisplay() {
  return process.platform !== 'linux' || Boolean(process.env.DISPLAY || process.env.WAYLAND_DISPLAY);
}

/** Runs the Electron installer once; resolves to a one-line outcome. Kills it (and its children) at the deadline. */
function tryInstallElectron() {
  return new Promise((resolve) => {
    say(`tokenlab: the Electron runtime is not installed; trying to download it (at most ${Math.round(installTimeoutMs / 1000)} s) …`);
    const detached = process.platform !== 'win32';
    const child = spawn(process.execPath, [installScript], { cwd: root, stdio: ['ignore', 'ignore', 'pipe'], detached, env: process.env });
    let stderr = '';
    child.stderr.on('data', (d) => {
      stderr = (stderr + d.toString()).slice(-4000);
    });
    const timer = setTimeout(() => {
      try {
        if (detached) process.kill(-child.pid, 'SIGKILL');
        else child.kill('SIGKILL');
      } catch {
        // already gone
      }
      resolve({ ok: false, reason: `the download did not finish within ${Math.round(installTimeoutMs / 1000)} s` });
    }, installTimeoutMs);
    child.on('error', (err) => {
      clearTimeout(timer);
      resolve({ ok: false, reason: `the installer could not start: ${err.message}` });
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      const lastLine = stderr.split('\n').map((l) => l.trim()).filter(Boolean).find((l) => /error|ENOTFOUND|ECONN|EAI_AGAIN|timed out/i.test(l));
      resolve(code === 0 ? { ok: true } : { ok: false, reason: `the installer failed (exit ${code})${lastLine ? `: ${lastLine}` : ''}` });
    });
  });
}

/** Runs the desktop app and mirrors its exit code. */
function runDesktop(executable) {
  say('tokenlab: opening the desktop app …');
  const child = spawn(executable, [root], { cwd: root, stdio: 'inherit' });
  const forward = (signal) => child.kill(signal);
  process.on('SIGINT', forward);
  process.on('SIGTERM', forward);
  child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
}

/** Starts `tokenlab serve`, passes its URL line through, then explains how to get the desktop app. */
function runBrowserMode(why, serveArgs) {
  const child = spawn(process.execPath, [join(root, 'bin', 'tokenlab.js'), 'serve', ...serveArgs], { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] });
  let printed = false;
  createInterface({ input: child.stdout }).on('line', (line) => {
    process.stdout.write(`${line}\n`);
    if (!printed && line.startsWith('TokenLab is running at ')) {
      printed = true;
      say(`\nBrowser mode: open the URL above in a browser (${why}).`);
      if (why.includes('Electron')) say(HOW_TO_GET_DESKTOP);
      say('Press Ctrl-C to stop.');
    }
  });
  const forward = (signal) => child.kill(signal);
  process.on('SIGINT', forward);
  process.on('SIGTERM', forward);
  child.on('exit', (code, signal) => process.exit(code ?? (signal === 'SIGINT' || signal === 'SIGTERM' ? 0 : 1)));
}

function parseArgs(argv) {
  const serveArgs = [];
  let browser = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--browser') browser = true;
    else if (arg === '--port' || arg === '--host') serveArgs.push(arg, argv[++i] ?? '');
    else if (arg.startsWith('--port=') || arg.startsWith('--host=')) serveArgs.push(arg);
    else {
      say(`tokenlab start: unknown option '${arg}'. Options: --browser, --port N, --host ADDRESS.`);
      process.exit(2);
    }
  }
  return { browser, serveArgs };
}

async function main() {
  const { browser, serveArgs } = parseArgs(process.argv.slice(2));
  if (process.env.TOKENLAB_SKIP_BUILD !== '1' && !ensureBuild({ log: say })) process.exit(1);
  if (browser) return runBrowserMode('--browser was given', serveArgs);
  if (!hasDisplay()) return runBrowserMode('there is no display for a desktop window', serveArgs);
  let executable = electronExecutable();
  let why = 'the Electron runtime is not installed';
  if (!executable) {
    const outcome = await tryInstallElectron();
    executable = outcome.ok ? electronExecutable() : undefined;
    if (!executable) why = `the Electron runtime is not installed and ${outcome.ok ? 'the installer finished without it' : outcome.reason}`;
  }
  if (executable) return runDesktop(executable);
  return runBrowserMode(why, serveArgs);
}

await main();
