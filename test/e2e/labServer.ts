/**
 * Browser mode for the lab's end-to-end tests: the built renderer served by `startServer` with the
 * real engine worker, a model to run (the bundled reference when models/reference holds one, else
 * a small random LLaVA checkpoint written for the test and listed through TOKENLAB_MODELS), and a
 * Chromium page that records console errors. Import.test.ts sets up the same way, inline.
 */
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Page } from 'playwright-core';
import { writeTinyCheckpoint } from '../../src/engine/models/checkpoint/write';
import { startServer } from '../../src/server';
import { launchChromium } from './chromium';

export const ROOT = resolve(import.meta.dirname, '../..');
export const RENDERER = join(ROOT, 'out', 'renderer');
export const ARTIFACTS = join(ROOT, 'test-artifacts');

/** A running lab: the page, what it logged, which model it runs, and how to stop it all. */
export interface LabSession {
  page: Page;
  errors: string[];
  /** 'reference' (bundled) or 'e2e-random' (written here). */
  model: string;
  close(): Promise<void>;
}

/** Whether the bundled reference model is present (it lands with models/reference). */
export function hasReferenceModel(): boolean {
  return existsSync(join(ROOT, 'models', 'reference', 'config.json'));
}

/** Starts server + engine + Chromium and opens the lab; throws when the renderer is not built. */
export async function openLab(): Promise<LabSession> {
  if (!existsSync(join(RENDERER, 'index.html'))) throw new Error(`No built renderer at ${RENDERER}. Build it first: npx electron-vite build`);
  await mkdir(ARTIFACTS, { recursive: true });
  let scratch: string | undefined;
  let model = 'reference';
  const previousModels = process.env.TOKENLAB_MODELS;
  if (!hasReferenceModel()) {
    // A LLaVA-shaped random model with the Shapes geometry (160 px, 16 px patches: a 10×10 grid).
    scratch = await mkdtemp(join(tmpdir(), 'tokenlab-lab-e2e-'));
    writeTinyCheckpoint(join(scratch, 'e2e-random'), { seed: 3, vision: { imageSize: 160, patchSize: 16, numLayers: 3 }, text: { numLayers: 4 } });
    process.env.TOKENLAB_MODELS = scratch; // the engine worker inherits it
    model = 'e2e-random';
  }
  const server = await startServer({ rendererDir: RENDERER });
  if (previousModels === undefined) delete process.env.TOKENLAB_MODELS;
  else process.env.TOKENLAB_MODELS = previousModels;
  const browser = await launchChromium();
  const page = await browser.context.newPage();
  const errors: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(server.url);
  await page.getByTestId('engine-status').getByText('Engine ready').waitFor();
  return {
    page,
    errors,
    model,
    async close() {
      await browser.close();
      await server.close();
      if (scratch) await rm(scratch, { recursive: true, force: true });
    },
  };
}
