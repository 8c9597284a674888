#!/usr/bin/env node
// Builds out/ (electron-vite build) when it is missing or older than the sources, so `npm test`
// and `npm start` work on a fresh clone: npm skips pre* hooks under ignore-scripts=true.
// Plain JavaScript so it runs before anything is compiled.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** TokenLab's root folder (this file lives in scripts/). */
export const root = join(dirname(fileURLToPath(import.meta.url)), '..');

/** The files a complete build produces. */
export const buildOutputs = ['out/main/index.js', 'out/main/worker.js', 'out/preload/index.cjs', 'out/renderer/index.html'].map((p) => join(root, p));

/** Newest modification time (ms) of the files under `dir`, recursively; 0 when it does not exist. */
function newestMtime(dir) {
  let newest = 0;
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return 0;
  }
  for (const entry of entries) {
    const path = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(path) : statSync(path).mtimeMs);
  }
  return newest;
}

/** Why a build is needed ('missing …' / 'sources changed'), or undefined when out/ is current. */
export function buildReason() {
  const missing = buildOutputs.find((p) => !existsSync(p));
  if (missing) return `missing ${missing.slice(root.length + 1)}`;
  const built = Math.min(...buildOutputs.map((p) => statSync(p).mtimeMs));
  const inputs = [join(root, 'electron.vite.config.ts'), join(root, 'package.json')].filter(existsSync).map((p) => statSync(p).mtimeMs);
  const sources = Math.max(newestMtime(join(root, 'src')), ...inputs);
  return sources > built ? 'sources changed since the last build' : undefined;
}

/**
 * Runs `electron-vite build` when needed. Returns true when out/ is usable afterwards;
 * the build's own output explains a failure.
 */
export function ensureBuild({ log = (line) => process.stderr.write(`${line}\n`) } = {}) {
  const reason = buildReason();
  if (!reason) return true;
  log(`tokenlab: building the app (${reason}) …`);
  const bin = join(root, 'node_modules', 'electron-vite', 'bin', 'electron-vite.js');
  if (!existsSync(bin)) {
    log('tokenlab: electron-vite is not installed; run `npm install` first.');
    return false;
  }
  // The build's chatter goes to stderr so stdout stays reserved for the URL line.
  const result = spawnSync(process.execPath, [bin, 'build'], { cwd: root, stdio: ['ignore', 2, 2] });
  if (result.status !== 0) {
    log(`tokenlab: the build failed (exit ${result.status ?? result.signal}); see the messages above.`);
    return false;
  }
  return true;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  process.exit(ensureBuild() ? 0 : 1);
}
