/**
 * Where TokenLab is installed: the folder holding its package.json. Models, the built renderer
 * and node_modules are found relative to it, whether the code runs from TypeScript sources
 * (src/…), from the electron-vite build (out/main/…) or from a test.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

let cached: string | undefined;

/**
 * The TokenLab root folder: `TOKENLAB_ROOT` when set, else the nearest ancestor of this file
 * whose package.json is named "tokenlab". Throws when neither exists (a broken install).
 */
export function appRoot(): string {
  const fromEnv = process.env.TOKENLAB_ROOT;
  if (fromEnv) return fromEnv;
  if (cached) return cached;
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const pkg = join(dir, 'package.json');
    if (existsSync(pkg)) {
      try {
        if ((JSON.parse(readFileSync(pkg, 'utf8')) as { name?: unknown }).name === 'tokenlab') return (cached = dir);
      } catch {
        // an unreadable package.json on the way up is not ours; keep looking
      }
    }
    const parent = dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  throw new Error(`Cannot find TokenLab's package.json above ${fileURLToPath(import.meta.url)}; set TOKENLAB_ROOT to the install folder.`);
}

/** TokenLab's version from its package.json. */
export function appVersion(): string {
  const pkg = JSON.parse(readFileSync(join(appRoot(), 'package.json'), 'utf8')) as { version?: unknown };
  return typeof pkg.version === 'string' ? pkg.version : '0.0.0';
}
