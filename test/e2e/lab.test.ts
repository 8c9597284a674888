/**
 * The lab end to end in Chromium through browser mode, on the real engine: the lab warms its model
 * up on opening → open a Shapes sample → run one method, then two → each method's overlay shows as
 * many kept tokens as its trace says (cross-checked against the tokens the runtime fed the last
 * decoder layer, from the results table) → moving the stage slider changes what is drawn.
 * Screenshots go to test-artifacts/. Click → overlay times (one image, one method: the first click
 * after the warm-up, then repeated clicks) are measured, printed and written to
 * test-artifacts/click-overlay-timings.json with the machine's load, never asserted: timing
 * assertions on 2 shared cores would only test the neighbours.
 */
import { writeFile } from 'node:fs/promises';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import type { Locator } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveBenchmark } from '../../src/engine/bench/splits';
import { chromiumMissing } from './chromium';
import { ARTIFACTS, openLab, type LabSession } from './labServer';

const skipReason = chromiumMissing();
if (skipReason) console.warn(`[e2e] skipped: ${skipReason}`);

const METHODS = ['divprune', 'fastv'];
/** Clicks timed after the first one (same image, question and method). */
const REPEATS = 7;

/** One click → overlay, in ms on the page's clock (performance.now()). */
interface ClickTiming {
  /** Click → the response arrived in the page (run-progress data-finished-at). */
  response: number;
  /** Click → every overlay drawn on its canvas (data-drawn-at). */
  drawn: number;
  /** Click → the frame showing them painted (data-painted-at: a timer after the next animation frame). */
  painted: number;
  /** Whether the engine reused the unpruned pass of an earlier run of this question (so this click did not compute it). */
  baselineReused: boolean;
}

function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

describe.skipIf(skipReason !== undefined)('browser mode in Chromium: the lab', () => {
  let lab: LabSession;
  beforeAll(async () => {
    // shapes:test is generated on first use (1400 samples, 400 MP4s through ffmpeg): ~100 s on an
    // idle 2-core machine, and past the listing's 120 s wait on a fresh one while the rest of the
    // suite runs beside it (a fresh clone's CI failed that way). Generated here, with time to
    // spare, the tests below time the lab rather than the generator.
    await resolveBenchmark('shapes:test');
    lab = await openLab();
  }, 600_000);
  afterAll(async () => {
    await lab?.close();
  });

  const overlay = (method: string): Locator => lab.page.locator(`[data-testid="overlay"][data-method="${method}"]`);

  /** Clicks Run inside the page (so click and paint share one clock) and waits for this click's response and every overlay of `methods` painted. */
  async function clickAndTime(methods: string[]): Promise<ClickTiming> {
    const { page } = lab;
    const clickedAt = Number(await page.evaluate(`(() => { const t = performance.now(); document.querySelector('[data-testid="run"]').click(); return t; })()`));
    // Polled from here with evaluate (a string, as above: this file is typed for Node, and the page's
    // CSP forbids the eval that waitForFunction needs). The times are read from the page, so the
    // polling interval does not enter them. A failed run ends the wait too (checked below).
    const selectors = JSON.stringify(methods.map((m) => `[data-testid="overlay"][data-method="${m}"]`));
    const done = `(() => {
      const after = (el, attr) => Number(el?.getAttribute(attr) ?? 0) > ${clickedAt};
      const progress = document.querySelector('[data-testid="run-progress"]');
      if (progress?.getAttribute('data-status') === 'failed') return true;
      return after(progress, 'data-finished-at') && ${selectors}.every((s) => after(document.querySelector(s), 'data-painted-at'));
    })()`;
    const deadline = Date.now() + 120_000;
    while (!(await page.evaluate(done))) {
      if (Date.now() > deadline) throw new Error(`no response and painted overlays for ${methods.join(', ')} within 120 s of the click`);
      await new Promise((r) => setTimeout(r, 10));
    }
    expect(await page.getByTestId('run-progress').getAttribute('data-status')).toBe('done');
    const at = async (m: string, attr: string) => Number(await overlay(m).getAttribute(attr));
    const answered = Number(await page.getByTestId('run-progress').getAttribute('data-finished-at'));
    const drawn = Math.max(...(await Promise.all(methods.map((m) => at(m, 'data-drawn-at')))));
    const painted = Math.max(...(await Promise.all(methods.map((m) => at(m, 'data-painted-at')))));
    const ms = (t: number) => Math.round((t - clickedAt) * 10) / 10;
    const baselineReused = (await page.locator('[data-testid="method-view"][data-method="none"] [data-testid="badge-reused"]').count()) > 0;
    return { response: ms(answered), drawn: ms(drawn), painted: ms(painted), baselineReused };
  }

  const show = (t: Omit<ClickTiming, 'baselineReused'> & { baselineReused?: boolean }) =>
    `painted ${t.painted.toFixed(0)} ms (response ${t.response.toFixed(0)}, drawn ${t.drawn.toFixed(0)}${t.baselineReused === undefined ? '' : t.baselineReused ? ', unpruned pass reused' : ', unpruned pass computed'})`;

  // The first listing reads shapes:test (generated in beforeAll) and the first click may wait on
  // the model's warm-up: their inner waits allow 120 s, so the tests do too (the 60 s default
  // failed them on a machine loaded by training).
  const SLOW_FIRST_USE = 150_000;

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
  }, SLOW_FIRST_USE);

  it('runs one method after the warm-up: click → overlay timed for the first and repeated clicks (recorded, not asserted)', async () => {
    const { page } = lab;
    // The lab started warming its model up when it opened; the first click is timed once that is done.
    const warm = page.getByTestId('model-warmup');
    await page.locator('[data-testid="model-warmup"][data-state="ready"]').waitFor({ timeout: 120_000 });
    const warmup = { loadMs: Number(await warm.getAttribute('data-load-ms')), warmMs: Number(await warm.getAttribute('data-warm-ms')), text: await warm.textContent() };
    await page.locator('[data-testid="method"][data-method="fastv"] [data-testid="method-toggle"]').check();
    const loadBefore = loadavg();
    const first = await clickAndTime(['fastv']);
    expect(await overlay('fastv').count()).toBe(1);
    const repeats: ClickTiming[] = [];
    for (let i = 0; i < REPEATS; i++) repeats.push(await clickAndTime(['fastv']));
    const loadAfter = loadavg();
    const medians = { response: median(repeats.map((r) => r.response)), drawn: median(repeats.map((r) => r.drawn)), painted: median(repeats.map((r) => r.painted)) };
    console.log(`[e2e] warm-up: load ${warmup.loadMs} ms, first passes ${warmup.warmMs} ms`);
    console.log(`[e2e] click → overlay, one image, one method (fastv) + the unpruned baseline, model ${lab.model}: first click ${show(first)}; median of ${REPEATS} repeats ${show(medians)}`);
    await writeFile(
      join(ARTIFACTS, 'click-overlay-timings.json'),
      `${JSON.stringify(
        {
          what: 'Click on Run → overlay on screen in the lab (Chromium, browser mode, real engine): one image, one method (fastv) plus the unpruned baseline, which the first click computes and later clicks on the same question reuse (baselineReused). Measured, not asserted.',
          clock: 'performance.now() in the page; response = run-progress data-finished-at, drawn = overlay canvas data-drawn-at, painted = data-painted-at (a timer after the next animation frame)',
          when: new Date().toISOString(),
          model: lab.model,
          method: 'fastv',
          machine: { cores: cpus().length, cpu: cpus()[0]?.model ?? 'unknown', loadavgBefore: loadBefore, loadavgAfter: loadAfter, note: process.env.TOKENLAB_TIMING_NOTE ?? null },
          warmup,
          first,
          repeats,
          medians,
        },
        null,
        2,
      )}\n`,
    );
  }, SLOW_FIRST_USE);

  it('runs two methods: each overlay keeps as many tokens as its trace and the runtime say', async () => {
    const { page } = lab;
    await page.locator('[data-testid="method"][data-method="divprune"] [data-testid="method-toggle"]').check();
    const t = await clickAndTime(METHODS);
    console.log(`[e2e] click → overlays, two methods (${METHODS.join(', ')}) + baseline: ${show(t)}`);
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

  it('gives keyboard users the hover card (token cursor) and shows every FLOPs phase with its formula on hover', async () => {
    const { page } = lab;
    const view = page.locator('[data-testid="method-view"][data-method="fastv"]');
    await overlay('fastv').focus();
    await page.keyboard.press('ArrowRight');
    await page.keyboard.press('ArrowDown');
    const card = await view.getByTestId('token-card').textContent();
    expect(card).toMatch(/^Token 11 \(row 1, col 1\)( · score \S+)? · (kept|dropped after decoder layer \d+)$/);
    expect(await view.getByTestId('token-announce').textContent()).toBe(card);
    await page.screenshot({ path: join(ARTIFACTS, 'e2e-lab-token-cursor.png') });
    await overlay('fastv').blur();
    // Hover a bar of the FLOPs chart (recharts draws one rectangle per method and phase).
    await page.locator('[data-testid="chart-flops"] .recharts-bar-rectangle').nth(4).hover();
    const tooltip = page.getByTestId('flops-tooltip');
    await tooltip.waitFor();
    expect(await tooltip.locator('.flops-phase').evaluateAll((els) => els.map((e) => e.getAttribute('data-phase')))).toEqual(['vision', 'prefill', 'decode', 'overhead']);
    const text = (await tooltip.textContent()) ?? '';
    for (const formula of ['per ViT layer', 'patch embedding', 'n·(d_v·d_h + d_h·d_t)', 'per layer, n = tokens entering the layer', 'per layer per step', 'd·V per generated token']) expect(text).toContain(formula);
    await page.screenshot({ path: join(ARTIFACTS, 'e2e-lab-flops-hover.png') });
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
    await clickAndTime(['mustdrop']);
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
