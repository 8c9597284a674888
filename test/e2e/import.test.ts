/**
 * End to end in a real browser: browser mode (server + engine worker) → Chromium → import
 * through the page's file input → thumbnail in the media list; broken files give notices and
 * the app keeps working. Screenshots go to test-artifacts/ for a human to look at.
 */
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { FileChooser, Page } from 'playwright-core';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer } from '../../src/server';
import { bilevelPng, truncated, videoHeaders } from '../engine/media/fixtures';
import { chromiumMissing, launchChromium } from './chromium';

const ROOT = resolve(import.meta.dirname, '../..');
const RENDERER = join(ROOT, 'out', 'renderer');
const ARTIFACTS = join(ROOT, 'test-artifacts');
const skipReason = chromiumMissing();
if (skipReason) console.warn(`[e2e] skipped: ${skipReason}`);

/** A picture worth looking at in the screenshots: shapes on a gradient, drawn by sharp. */
async function samplePng(): Promise<Buffer> {
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="640" height="480">
    <defs><linearGradient id="g" x1="0" y1="0" x2="1" y2="1"><stop offset="0" stop-color="#1d3557"/><stop offset="1" stop-color="#a8dadc"/></linearGradient></defs>
    <rect width="640" height="480" fill="url(#g)"/>
    <circle cx="180" cy="200" r="90" fill="#e63946"/>
    <rect x="330" y="120" width="180" height="180" fill="#f1c40f"/>
    <polygon points="320,440 420,300 520,440" fill="#2a9d8f"/>
  </svg>`;
  return sharp(Buffer.from(svg)).png().toBuffer();
}

describe.skipIf(skipReason !== undefined)('browser mode in Chromium: media import', () => {
  let server: Awaited<ReturnType<typeof startServer>>;
  let browser: Awaited<ReturnType<typeof launchChromium>>;
  let page: Page;
  let files: string;
  const consoleErrors: string[] = [];
  const choosers: FileChooser[] = [];

  beforeAll(async () => {
    if (!existsSync(join(RENDERER, 'index.html'))) {
      throw new Error(`No built renderer at ${RENDERER}. Build it first: npx electron-vite build`);
    }
    await mkdir(ARTIFACTS, { recursive: true });
    files = await mkdtemp(join(tmpdir(), 'tokenlab-e2e-'));
    server = await startServer({ rendererDir: RENDERER });
    browser = await launchChromium();
    page = await browser.context.newPage();
    page.on('console', (m) => {
      if (m.type() === 'error') consoleErrors.push(m.text());
    });
    page.on('pageerror', (e) => consoleErrors.push(e.message));
    // Listen from the start: playwright turns on file-chooser interception when the first
    // listener is added, asynchronously, so a listener added just before a key press can miss it.
    page.on('filechooser', (chooser) => choosers.push(chooser));
    page.on('response', (r) => {
      if (r.status() >= 400) consoleErrors.push(`HTTP ${r.status()} for ${r.url()}`);
    });
    await page.goto(server.url);
    await page.getByTestId('engine-status').getByText('Engine ready').waitFor();
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    if (files) await rm(files, { recursive: true, force: true });
  });

  async function notices(): Promise<string[]> {
    return page.getByTestId('notice').allTextContents();
  }

  it('opens on the empty state, with the token traded for a cookie', async () => {
    expect(new URL(page.url()).searchParams.has('token')).toBe(false);
    await expect(page.getByTestId('empty-state').textContent()).resolves.toContain('Drop an image');
    await page.screenshot({ path: join(ARTIFACTS, 'e2e-empty.png') });
  });

  it('imports a PNG through the file input and shows its thumbnail', async () => {
    const png = join(files, 'shapes.png');
    await writeFile(png, await samplePng());
    await page.getByTestId('file-input').setInputFiles(png);
    const item = page.getByTestId('media-item');
    await item.first().waitFor();
    expect(await item.count()).toBe(1);
    expect(await item.textContent()).toContain('shapes.png');
    expect(await item.textContent()).toContain('PNG · 640 × 480');
    const thumb = page.getByTestId('thumbnail').first();
    expect(await thumb.getAttribute('src')).toMatch(/^data:image\/webp;base64,/);
    // The browser really decoded it (a broken data: URL has naturalWidth 0).
    await expect
      .poll(() => thumb.evaluate((img) => ((img as unknown as { complete: boolean }).complete ? (img as unknown as { naturalWidth: number }).naturalWidth : -1)))
      .toBe(160);
    await page.waitForSelector('[data-testid="viewer"] img[data-loaded="true"]');
    await page.screenshot({ path: join(ARTIFACTS, 'e2e-imported.png') });
  });

  it('gives one notice per broken file, naming it, while the imported item stays', async () => {
    const good = await samplePng();
    const broken = [
      { name: 'cut.png', mimeType: 'image/png', buffer: Buffer.from(truncated(good, 0.5)) },
      { name: 'notes.png', mimeType: 'image/png', buffer: Buffer.from('These are my notes, not a picture.\n') },
      { name: 'empty.png', mimeType: 'image/png', buffer: Buffer.alloc(0) },
      { name: 'huge.png', mimeType: 'image/png', buffer: Buffer.from(bilevelPng(20000, 20000)) },
      { name: 'clip.mp4', mimeType: 'video/mp4', buffer: Buffer.from(videoHeaders.mp4()) },
    ];
    for (const [i, file] of broken.entries()) {
      await page.getByTestId('file-input').setInputFiles(file);
      await page.getByTestId('notice').nth(i).waitFor();
    }
    const texts = await notices();
    expect(texts).toHaveLength(5);
    expect(texts[0]).toContain('"cut.png" could not be decoded as PNG: the file is damaged or incomplete');
    expect(texts[1]).toContain('"notes.png" is not an image TokenLab can read');
    expect(texts[2]).toContain('"empty.png" is empty (0 bytes).');
    expect(texts[3]).toContain('"huge.png" is 20000 × 20000 pixels (400 MP), above the 100 MP limit.');
    expect(texts[4]).toContain('"clip.mp4" is a video (MP4); video import is not available yet.');
    expect(await page.getByTestId('media-item').count()).toBe(1);
    expect(await page.getByTestId('media-item').textContent()).toContain('shapes.png');
    await page.screenshot({ path: join(ARTIFACTS, 'e2e-notices.png') });
  });

  it('keeps working: notices dismiss, and the next good file imports', async () => {
    while ((await page.getByTestId('notice').count()) > 0) {
      await page.getByTestId('notice').first().getByRole('button', { name: 'Dismiss' }).click();
    }
    const jpeg = await sharp(await samplePng()).resize(320).jpeg().toBuffer();
    await page.getByTestId('file-input').setInputFiles({ name: 'small.jpg', mimeType: 'image/jpeg', buffer: jpeg });
    await page.getByTestId('media-item').nth(1).waitFor();
    expect(await page.getByTestId('media-item').allTextContents()).toEqual([expect.stringContaining('shapes.png'), expect.stringContaining('small.jpg')]);
    await page.getByTestId('theme-toggle').click(); // system → light
    await page.getByTestId('theme-toggle').click(); // light → dark
    expect(await page.locator('html').getAttribute('data-theme')).toBe('dark');
    await page.screenshot({ path: join(ARTIFACTS, 'e2e-dark.png') });
  });

  it('accepts a file dropped on the drop zone, and opens the picker from the keyboard', async () => {
    const dropped = (await sharp(await samplePng()).resize(200).webp().toBuffer()).toString('base64');
    // A real DataTransfer holding a real File, dispatched as the browser does for a drag from the desktop.
    const transfer = await page.evaluateHandle(`(() => {
      const bytes = Uint8Array.from(atob(${JSON.stringify(dropped)}), (c) => c.charCodeAt(0));
      const dt = new DataTransfer();
      dt.items.add(new File([bytes], 'dropped.webp', { type: 'image/webp' }));
      return dt;
    })()`);
    await page.getByTestId('dropzone').dispatchEvent('dragover', { dataTransfer: transfer });
    await page.getByTestId('dropzone').dispatchEvent('drop', { dataTransfer: transfer });
    await page.getByTestId('media-item').nth(2).waitFor();
    expect(await page.getByTestId('media-item').nth(2).textContent()).toContain('dropped.webp');

    await page.getByTestId('dropzone').focus();
    await page.keyboard.press('Enter');
    await expect.poll(() => choosers.length).toBe(1);
    const chooser = choosers[0]!;
    expect(chooser.isMultiple()).toBe(true);
    await chooser.setFiles({ name: 'keyboard.png', mimeType: 'image/png', buffer: await samplePng() });
    await page.getByTestId('media-item').nth(3).waitFor();
    expect(await page.getByTestId('media-item').nth(3).textContent()).toContain('keyboard.png');
  });

  it("lists the engine's media again after a page reload", async () => {
    await page.reload();
    await page.getByTestId('media-item').nth(3).waitFor();
    expect(await page.getByTestId('media-item').count()).toBe(4);
    expect(await page.getByTestId('viewer').getAttribute('data-media-id')).toBeTruthy();
  });

  it('logged no errors in the page (no CSP violations, no exceptions)', () => {
    expect(consoleErrors).toEqual([]);
  });
});
