/**
 * Debian's Chromium driven by playwright-core (no browser download). ENVIRONMENT.md lists the
 * flags that work on these machines; each launch gets a fresh profile directory.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext } from 'playwright-core';

export const CHROMIUM_PATH = '/usr/bin/chromium';

const FLAGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-dev-shm-usage',
  '--disable-background-networking',
  '--no-first-run',
  '--disable-component-update',
  '--disable-sync',
];

/**
 * Why the browser tests cannot run here, or undefined when they can. On CI a missing browser
 * is a failure (CI installs it); elsewhere the tests are skipped with this reason printed.
 */
export function chromiumMissing(): string | undefined {
  if (existsSync(CHROMIUM_PATH)) return undefined;
  const reason = `${CHROMIUM_PATH} not found; install it with: apt-get install -y --no-install-recommends chromium`;
  if (process.env.CI) throw new Error(`End-to-end tests need Chromium on CI: ${reason}`);
  return reason;
}

/** A headless Chromium with a fresh profile; `close()` also deletes the profile. */
export async function launchChromium(): Promise<{ context: BrowserContext; close(): Promise<void> }> {
  const profile = await mkdtemp(join(tmpdir(), 'tokenlab-chromium-'));
  // launchPersistentContext is how playwright takes a --user-data-dir; headless adds --headless.
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: FLAGS,
    viewport: { width: 1280, height: 800 },
  });
  return {
    context,
    async close() {
      await context.close();
      await rm(profile, { recursive: true, force: true });
    },
  };
}
