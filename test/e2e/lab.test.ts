/**
 * The lab end to end in Chromium through browser mode, on the real engine: open a Shapes sample →
 * run two compression methods → each method's overlay shows as many kept tokens as its trace says
 * (cross-checked against the tokens the runtime fed the last decoder layer, from the results
 * table) → moving the stage slider changes what is drawn. Screenshots go to test-artifacts/;
 * click → overlay time is measured and printed, not asserted.
 */
import { join } from 'node:path';
import type { Locator } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromiumMissing } from './chromium';
import { ARTIFACTS, openLab, type LabSession } from './labServer';

const skipReason = chromiumMissing();
if (skipReason) console.warn(`[e2e] skipped: ${skipReason}`);

const METHODS = ['divprune', 'fastv'];

describe.skipIf(skipReason !== undefined)('browser mode in Chromium: the lab', () => {
  let lab: LabSession;
  beforeAll(async () => {
    lab = await openLab();
  }, 120_000);
  afterAll(async () => {
    await lab?.close();
  });

  const overlay = (method: string): Locator => lab.page.locator(`[data-testid="overlay"][data-method="${method}"]`);

  /** Clicks Run and resolves with ms from the click to the paint of every overlay of `methods` (also printing the response's share). */
  async function runAndTime(methods: string[]): Promise<number> {
    const { page } = lab;
    const before = await page.evaluate(() => performance.now());
    // Clicked inside the page, so the click and the paint times share one clock (performance.now()).
    const clickedAt = Number(await page.evaluate(`(() => { const t = performance.now(); document.querySelector('[data-testid="run"]').click(); return t; })()`));
    await page.locator('[data-testid="run-progress"][data-status="done"]').waitFor({ timeout: 120_000 });
    const drawn = await Promise.all(
      methods.map(async (m) => {
        await page.waitForSelector(`[data-testid="overlay"][data-method="${m}"][data-drawn-at]`);
        return Number(await overlay(m).getAttribute('data-drawn-at'));
      }),
    );
    expect(clickedAt).toBeGreaterThanOrEqual(before);
    const answered = Number(await page.getByTestId('run-progress').getAttribute('data-finished-at'));
    console.log(`[e2e]   of which click → response ${(answered - clickedAt).toFixed(0)} ms, response → overlays painted ${(Math.max(...drawn) - answered).toFixed(0)} ms`);
    return Math.max(...drawn) - clickedAt;
  }

  it('opens a Shapes sample: image imported, question and answer filled in', async () => {
    const { page } = lab;
    await expect(page.getByTestId('empty-state').textContent()).resolves.toContain('Shapes samples');
    await page.getByTestId('samples-more').click();
    await page.getByTestId('sample').first().waitFor({ timeout: 120_000 });
    const question = (await page.getByTestId('sample').first().locator('.sample-question').textContent())!;
    await page.getByTestId('sample').first().click();
    await page.getByTestId('media-item').first().waitFor();
    expect(await page.getByTestId('question').inputValue()).toBe(question);
    expect(await page.getByTestId('expected').inputValue()).not.toBe('');
    await page.locator(`[data-testid="model"] option[value="${lab.model}"]`).waitFor({ state: 'attached' });
    await page.getByTestId('model').selectOption(lab.model);
    await page.screenshot({ path: join(ARTIFACTS, 'e2e-lab-sample.png') });
  });

  it('runs one method: its overlay is drawn (click → overlay time printed)', async () => {
    const { page } = lab;
    await page.locator('[data-testid="method"][data-method="fastv"] [data-testid="method-toggle"]').check();
    const ms = await runAndTime(['fastv']);
    console.log(`[e2e] click → overlay drawn, one image, one method (fastv) + the unpruned baseline, model ${lab.model}: ${ms.toFixed(0)} ms`);
    expect(await overlay('fastv').count()).toBe(1);
  });

  it('runs two methods: each overlay keeps as many tokens as its trace and the runtime say', async () => {
    const { page } = lab;
    await page.locator('[data-testid="method"][data-method="divprune"] [data-testid="method-toggle"]').check();
    const ms = await runAndTime(METHODS);
    console.log(`[e2e] click → overlays drawn, two methods (${METHODS.join(', ')}) + baseline: ${ms.toFixed(0)} ms`);
    expect(await page.getByTestId('answer').count()).toBe(3);
    const stage = page.getByTestId('stage');
    const positions = Number(await stage.getAttribute('max')) + 1;
    await stage.fill(String(positions - 1));
    for (const m of METHODS) {
      const el = overlay(m);
      const kept = Number(await el.getAttribute('data-kept'));
      // Neither method merges, so the cells painted clear are exactly the live tokens.
      expect(Number(await el.getAttribute('data-cells-kept'))).toBe(kept);
      // The runtime's own count of visual tokens entering the last decoder layer (results table: "first → last").
      const cell = await page.locator(`[data-testid="results-table"] tr[data-method="${m}"] td`).nth(2).textContent();
      const last = Number(/→ (\d+)/.exec(cell ?? '')?.[1]);
      expect(kept).toBe(last);
      expect(kept).toBeLessThan(Number(await overlay('none').getAttribute('data-kept')));
    }
    await page.screenshot({ path: join(ARTIFACTS, 'e2e-lab-two-methods.png') });
  });

  it('moving the stage slider changes what is drawn', async () => {
    const { page } = lab;
    const stage = page.getByTestId('stage');
    const last = Number(await stage.getAttribute('max'));
    expect(last).toBeGreaterThanOrEqual(2); // input, before the LLM (DivPrune), after FastV's layer
    const snapshot = async () =>
      Promise.all(METHODS.map(async (m) => ({ kept: await overlay(m).getAttribute('data-kept'), pixels: await overlay(m).evaluate((c) => (c as unknown as { toDataURL(): string }).toDataURL()) })));
    await stage.fill(String(last));
    const end = await snapshot();
    await stage.fill('0');
    const start = await snapshot();
    expect(await stage.getAttribute('data-position')).toBe('input');
    for (const [i, m] of METHODS.entries()) {
      expect(start[i]!.pixels).not.toBe(end[i]!.pixels);
      expect(Number(start[i]!.kept)).toBeGreaterThan(Number(end[i]!.kept));
      expect(start[i]!.kept).toBe(await overlay('none').getAttribute('data-kept'));
      expect(m).toBeTruthy();
    }
    await page.screenshot({ path: join(ARTIFACTS, 'e2e-lab-stage-input.png') });
    await stage.fill('1');
    await page.getByTestId('heatmap').check();
    await page.screenshot({ path: join(ARTIFACTS, 'e2e-lab-heatmap.png') });
    await page.getByTestId('theme-toggle').click();
    await page.getByTestId('theme-toggle').click();
    await page.screenshot({ path: join(ARTIFACTS, 'e2e-lab-dark.png') });
  });

  it('replays a progressive method (MustDrop: ViT merge → decoder drops → KV) with counts that never grow', async () => {
    const { page } = lab;
    for (const m of METHODS) await page.locator(`[data-testid="method"][data-method="${m}"] [data-testid="method-toggle"]`).uncheck();
    await page.locator('[data-testid="method"][data-method="mustdrop"] [data-testid="method-toggle"]').check();
    await page.getByTestId('heatmap').uncheck();
    await runAndTime(['mustdrop']);
    const stage = page.getByTestId('stage');
    const last = Number(await stage.getAttribute('max'));
    const counts: number[] = [];
    let merged = 0;
    for (let i = 0; i <= last; i++) {
      await stage.fill(String(i));
      counts.push(Number(await overlay('mustdrop').getAttribute('data-kept')));
      merged = Math.max(merged, Number(await overlay('mustdrop').getAttribute('data-cells-merged')));
      if ((await stage.getAttribute('data-position')) === 'vit') await page.screenshot({ path: join(ARTIFACTS, 'e2e-lab-mustdrop-vit.png') });
    }
    console.log(`[e2e] MustDrop kept per stage: ${counts.join(' → ')}; most merged cells drawn at one stage: ${merged}`);
    expect(counts[0]).toBe(Number(await overlay('none').getAttribute('data-kept')));
    for (let i = 1; i < counts.length; i++) expect(counts[i]!).toBeLessThanOrEqual(counts[i - 1]!);
    const cell = await page.locator('[data-testid="results-table"] tr[data-method="mustdrop"] td').nth(2).textContent();
    expect(counts.at(-1)).toBe(Number(/→ (\d+)/.exec(cell ?? '')?.[1]));
    await page.screenshot({ path: join(ARTIFACTS, 'e2e-lab-mustdrop-end.png') });
    // MustDrop's parameter controls: switch, sliders, select, number fields, a fixed per-layer list.
    const card = page.locator('[data-testid="method"][data-method="mustdrop"]');
    expect(await card.locator('[role="switch"]').count()).toBeGreaterThan(0);
    expect(await card.locator('input[type="range"]').count()).toBeGreaterThan(0);
    expect(await card.locator('select').count()).toBeGreaterThan(0);
    await card.locator('.param').last().scrollIntoViewIfNeeded();
    await page.screenshot({ path: join(ARTIFACTS, 'e2e-lab-mustdrop-params.png') });
  });

  it('logged no errors in the page', () => {
    expect(lab.errors).toEqual([]);
  });
});
