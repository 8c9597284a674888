/**
 * The compression-method part of `npm run bench` (issue 5's targets), on models/reference when it
 * is there, else on the bench's reference-sized random model. Prints two tables, asserts nothing:
 *
 *   1. Selection overhead of every method at retention 0.25: wall time inside the method's hooks
 *      as bound for a run (bind.ts) — the binder's probe requests and input copies, the method's
 *      scoring, selection and merging, the binder applying each edit to the tokens and the trace,
 *      and the next-layer q·k scores a hook reads (shown apart): computed inside the layer's graph
 *      (the `nextLayerRows` probe, one session run fewer than the separate scorer), so their cost
 *      is measured apart — the graph of each prefill segment that carried the probe, at the
 *      length and rows it ran with, timed with and without it in interleaved runs — and that
 *      median difference is added to the method's overhead; a separate scorer run, if any, is
 *      timed inside the hook. The projector's cosine probe (DivPrune, ToDRE) is charged the
 *      same way: the projector graph with and without it at the token count it ran on. Median
 *      and p10 over 2 × --repeats interleaved rounds, as % of the unpruned prefill. Target: ≤ 2%. Not included: the attention-row and transition probes computed
 *      inside the layer graphs (the probe-cost table), ViT layers run past the feature layer for a
 *      probe (vision phase), binding and parameter resolution (once per run, before it starts).
 *   2. Prefill speed-up of FastV, VisionZip and DivPrune at 0.25: unpruned over pruned prefill
 *      time (medians), next to the FLOPs speed-up of the decoder prefill from the traced counts.
 *      Target: measured ≥ 0.8 × FLOPs. Prefill time includes FastV's own hook (it acts inside
 *      prefill); VisionZip's and DivPrune's run in the vision phase. The decoder graphs timed alone
 *      at the unpruned and the pruned length (and at 1 token) give the ratio the ORT kernels allow
 *      by themselves: the part of a layer that does not shrink with the tokens (weights streamed,
 *      a fixed cost per op and per session run) and lower GEMM efficiency at short lengths.
 *
 * Garbage collection: every GC is observed (perf_hooks 'gc' entries). A method's selection figure
 * is left out when a GC overlapped one of its hook calls, and a prefill figure when one overlapped
 * the prefill phase, for every method alike (the counts are printed): the pause (up to several ms)
 * lands in whatever happens to allocate and says nothing about the method. Earlier versions left
 * out the whole answer; at LLaVA scale, where nearly every 0.6 s answer runs a collection, that
 * left medians of 3 runs in 40. An earlier version still forced a full collection before every
 * answer; that left every measured phase to start from caches the collector had just swept, a
 * cost no run outside the bench pays (dropping it took the unpruned prefill from 6.05 to 5.87 ms
 * and VisionZip's from 2.60 to 2.35 ms, same machine, minutes apart).
 *
 * Runs standalone too: node --import tsx scripts/bench-methods.ts [--repeats N] [--threads N].
 */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { PerformanceObserver } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import sharp from 'sharp';
import { decoderLayerFlops } from '../src/shared/flops';
import { summarize } from '../src/engine/metrics/latency';
import { flopsDimsFromConfig } from '../src/engine/models/checkpoint/flops-dims';
import { loadModel } from '../src/engine/models/checkpoint/load';
import type * as ort from 'onnxruntime-node';
import type { DecoderProbeSet } from '../src/engine/models/graph/decoder-graphs';
import { decoderProbeSet, type DecoderLayerContext, type DecoderProbeRequest, type RuntimeHooks, type VisualTokensContext } from '../src/engine/models/runtime/hooks';
import { flopsOfRun } from '../src/engine/models/runtime/measured-run';
import { runGraph, type GraphSession } from '../src/engine/models/runtime/model-graphs';
import { prefillModeFor } from '../src/engine/models/runtime/prefill';
import { causalMask, causalRowMask, emptyPast, f32, i64 } from '../src/engine/models/runtime/tensors';
import type { TokenSequence } from '../src/engine/models/runtime/token-sequence';
import { VlmRuntime } from '../src/engine/models/runtime/vlm';
import { bindPruner, runGeometry } from '../src/engine/pruners/bind';
import type { AnyPruner } from '../src/engine/pruners/define';
import { listPruners } from '../src/engine/pruners/registry';

const RETENTION = 0.25;
const SPEEDUP_METHODS = ['fastv', 'visionzip', 'divprune'];
const HOOK_KEYS = ['vitProbes', 'afterVitLayer', 'beforeProjector', 'projectorProbes', 'afterProjector', 'decoderProbes', 'afterDecoderLayer', 'beforeDecode'] as const;

/**
 * `hooks` with the wall time of every call (awaited) added to `acc.ms`, the part of it spent in
 * next-layer q·k graphs (`nextLayerScores`) to `acc.graph`, and every decoder probe request (with
 * the length it was made at) to `acc.requests`, to time the in-graph probes apart afterwards.
 */
function timed(hooks: RuntimeHooks, acc: Acc): RuntimeHooks {
  const out: Record<string, unknown> = {};
  for (const key of HOOK_KEYS) {
    const fn = hooks[key] as ((...args: unknown[]) => unknown) | undefined;
    if (!fn) continue;
    out[key] = (...args: unknown[]): unknown => {
      if (key === 'afterDecoderLayer') {
        const ctx = args[0] as DecoderLayerContext;
        const scores = ctx.nextLayerScores;
        args[0] = { ...ctx, nextLayerScores: (rows: readonly number[]) => {
          const g0 = performance.now();
          return scores(rows).finally(() => void (acc.graph += performance.now() - g0));
        } };
      }
      const t0 = performance.now();
      const r = fn.apply(hooks, args);
      if (r instanceof Promise) {
        return r.finally(() => {
          const t1 = performance.now();
          acc.ms += t1 - t0;
          acc.spans.push([t0, t1]);
        });
      }
      const t1 = performance.now();
      acc.ms += t1 - t0;
      acc.spans.push([t0, t1]);
      // Recorded after the clock stopped: the bench's bookkeeping is not the method's.
      if (key === 'decoderProbes') acc.requests.push({ layer: args[0] as number, n: (args[1] as TokenSequence).length, req: r as DecoderProbeRequest | undefined });
      if (key === 'afterProjector' && (args[0] as VisualTokensContext).probes?.cosine) acc.projectorCosineAt = (args[0] as VisualTokensContext).seq.length;
      return r;
    };
  }
  // Declarations pass through untimed: where the hooks act (without it prefill could not fuse), and
  // the position convention of edits before the LLM.
  if (hooks.afterDecoderLayers) out.afterDecoderLayers = hooks.afterDecoderLayers;
  if (hooks.afterVitLayers) out.afterVitLayers = hooks.afterVitLayers;
  if (hooks.visualPositions) out.visualPositions = hooks.visualPositions;
  return out as RuntimeHooks;
}

function table(title: string, header: string[], rows: string[][]): void {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]): string => `| ${cells.map((c, i) => c.padEnd(widths[i]!)).join(' | ')} |`;
  process.stdout.write(`\n${title}\n${line(header)}\n|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|\n${rows.map(line).join('\n')}\n`);
}

/** What `timed` accumulates over one answer. */
interface Acc {
  ms: number;
  /** [start, end] of every hook call (performance.now()), to leave out only the calls a GC ran in. */
  spans: Array<[number, number]>;
  graph: number;
  requests: Array<{ layer: number; n: number; req: DecoderProbeRequest | undefined }>;
  /** Tokens the projector ran on when its graph computed the cosine probe for this method (0: not asked). */
  projectorCosineAt: number;
}

interface Sample {
  prefill: number[];
  selection: number[];
  graph: number[];
  /** Per measured answer, [start, end] of each of its hook calls: a GC in one leaves out its selection figure. */
  hookSpans: Array<Array<[number, number]>>;
  /** Per measured answer, [start, end] of its prefill phase: a GC in it leaves out its prefill figure. */
  prefillSpans: Array<[number, number]>;
  /** Answers whose selection figure, and whose prefill figure, was left out for a GC. */
  dropped: { selection: number; prefill: number };
  /** The decoder probe requests of the last measured answer, and the afterDecoderLayers it declared. */
  requests: Acc['requests'];
  /** The projector cosine probe of the last measured answer (Acc.projectorCosineAt). */
  projectorCosineAt: number;
  stops: readonly number[] | null;
  flopsPrefill: number;
  decoderTokens: number[];
}

/**
 * Median ms of the decoder graphs an unhooked prefill runs on `n` tokens (every layer's graph in
 * turn, or the one fused graph of all layers, which also computes the last row's logits as
 * prefill's does; no probes, no hooks, no bookkeeping: prefill's graph time alone), for each of
 * `lengths`, over `runs` interleaved rounds.
 */
async function decoderGraphTimes(rt: VlmRuntime, lengths: readonly number[], runs: number): Promise<number[]> {
  const t = rt.model.config.text;
  const fused = prefillModeFor(rt.graphs) === 'fused';
  const graphs = [];
  if (fused) graphs.push(await rt.graphs.decoderSegment(0, t.numLayers - 1));
  else for (let l = 0; l < t.numLayers; l++) graphs.push(await rt.graphs.decoderLayer(l));
  const past = emptyPast(t.numKvHeads, t.headDim);
  const feeds = lengths.map((n) => ({ hidden: f32(Float32Array.from({ length: n * t.hiddenSize }, (_, i) => Math.sin(i)), [n, t.hiddenSize]), position_ids: i64(Array.from({ length: n }, (_, i) => i)), attn_mask: f32(causalMask(n), [n, n]), ...(fused ? {} : { past_key: past, past_value: past }) }));
  const samples = lengths.map(() => [] as number[]);
  for (let r = 0; r < runs + 3; r++) {
    for (let i = 0; i < lengths.length; i++) {
      const t0 = performance.now();
      for (const g of graphs) await runGraph(g.session, g.name, feeds[i]!);
      if (r >= 3) samples[i]!.push(performance.now() - t0);
    }
  }
  return samples.map((x) => summarize(x).median);
}

/**
 * What a probe adds to a graph: `withProbe` on `withFeeds` and `without` on `feeds`, timed in
 * `runs` interleaved rounds after 3 warm-ups; the differences of the medians and of the p10s (ms).
 */
async function probeGraphCost(withProbe: GraphSession, withFeeds: Record<string, ort.Tensor>, without: GraphSession, feeds: Record<string, ort.Tensor>, runs: number): Promise<{ median: number; p10: number }> {
  const a: number[] = [];
  const b: number[] = [];
  for (let round = 0; round < runs + 3; round++) {
    let t0 = performance.now();
    await runGraph(withProbe.session, withProbe.name, withFeeds);
    if (round >= 3) a.push(performance.now() - t0);
    t0 = performance.now();
    await runGraph(without.session, without.name, feeds);
    if (round >= 3) b.push(performance.now() - t0);
  }
  const sa = summarize(a);
  const sb = summarize(b);
  return { median: sa.median - sb.median, p10: sa.p10 - sb.p10 };
}

/**
 * The cost of the next-layer q·k probes one measured answer of a method computed inside its layer
 * graphs (`sample.requests`): each prefill segment that carried one is rebuilt the way prefill.ts
 * cuts them (a segment ends at a declared hook layer, a layer with a probe request, the last
 * layer; every layer in per-layer mode) and its graph is timed at the length and rows it ran
 * with, with and without the probe, in `runs` interleaved rounds. Returns the summed differences
 * of the medians and of the p10s (ms); zero for a method without such probes.
 */
async function nextLayerProbeCost(rt: VlmRuntime, sample: Sample, runs: number): Promise<{ median: number; p10: number }> {
  const t = rt.model.config.text;
  const fused = prefillModeFor(rt.graphs) === 'fused';
  const stops = sample.stops === null ? null : new Set(sample.stops);
  const byLayer = new Map(sample.requests.map((r) => [r.layer, r]));
  const total = { median: 0, p10: 0 };
  for (let from = 0, to = 0; to < t.numLayers; to++) {
    const r = byLayer.get(to);
    const set = decoderProbeSet(r?.req);
    const ends = !fused || stops === null || stops.has(to) || set.attentionRows || set.transitions || set.nextLayerRows || to === t.numLayers - 1;
    if (!ends) continue;
    if (r?.req?.nextLayerRows?.length) {
      const n = r.n;
      const single = from === to;
      const graph = (probes: DecoderProbeSet): Promise<GraphSession> => (single ? rt.graphs.decoderLayer(to, probes) : rt.graphs.decoderSegment(from, to, probes));
      const withProbe = await graph(set);
      const without = await graph({ ...set, nextLayerRows: false });
      const past = emptyPast(t.numKvHeads, t.headDim);
      const next = [...r.req.nextLayerRows];
      const feeds: Record<string, ort.Tensor> = { hidden: f32(Float32Array.from({ length: n * t.hiddenSize }, (_, i) => Math.sin(i)), [n, t.hiddenSize]), position_ids: i64(Array.from({ length: n }, (_, i) => i)), attn_mask: f32(causalMask(n), [n, n]), ...(single ? { past_key: past, past_value: past } : {}) };
      if (set.attentionRows) feeds.probe_rows = i64(r.req.attentionRows!);
      const withFeeds = { ...feeds, next_rows: i64(next), next_row_mask: f32(causalRowMask(next, n), [next.length, n]) };
      const cost = await probeGraphCost(withProbe, withFeeds, without, feeds, runs);
      total.median += cost.median;
      total.p10 += cost.p10;
    }
    from = to + 1;
  }
  return total;
}

/**
 * The cost of the projector's cosine probe for one method's measured answer: the projector graph
 * with and without it, at the token count it ran with, in `runs` interleaved rounds. Returns the
 * differences of the medians and of the p10s (ms); zero for a method that did not ask for it.
 */
async function projectorProbeCost(rt: VlmRuntime, sample: Sample, runs: number): Promise<{ median: number; p10: number }> {
  const n = sample.projectorCosineAt;
  if (n === 0) return { median: 0, p10: 0 };
  const withProbe = await rt.graphs.projector({ cosine: true });
  const without = await rt.graphs.projector();
  const Dv = rt.model.config.vision.hiddenSize;
  const feeds = { features: f32(Float32Array.from({ length: n * Dv }, (_, i) => Math.sin(i)), [n, Dv]) };
  return probeGraphCost(withProbe, feeds, without, feeds, runs);
}

/**
 * Leaves out of `s` each selection figure whose hook calls, and each prefill figure whose prefill
 * phase, overlapped any of `gcs` ([start, end] ms); counts them in `s.dropped`. A GC elsewhere in
 * the answer (the ViT, preprocessing, between hooks) touches neither figure.
 */
function dropFiguresWithGc(s: Sample, gcs: ReadonlyArray<[number, number]>): void {
  const hit = ([a, b]: [number, number]): boolean => gcs.some(([g0, g1]) => g0 < b && g1 > a);
  const keepSelection = s.hookSpans.map((calls) => !calls.some(hit));
  const keepPrefill = s.prefillSpans.map((span) => !hit(span));
  // Every figure hit (only on a pathological run): keep them all rather than print none.
  if (keepSelection.some(Boolean)) {
    s.dropped.selection = keepSelection.filter((k) => !k).length;
    s.selection = s.selection.filter((_, i) => keepSelection[i]);
    s.graph = s.graph.filter((_, i) => keepSelection[i]);
  }
  if (keepPrefill.some(Boolean)) {
    s.dropped.prefill = keepPrefill.filter((k) => !k).length;
    s.prefill = s.prefill.filter((_, i) => keepPrefill[i]);
  }
}

/**
 * Measures every registered method against the unpruned model on `rt` (see the module comment)
 * and prints the tables; `label` names the model in the titles.
 */
export async function benchMethods(rt: VlmRuntime, label: string, repeats: number): Promise<void> {
  // Twice the rounds asked for: an answer is a few ms, and some figures are left out for a GC.
  const rounds = 2 * repeats;
  const image = await sharp({ create: { width: 320, height: 240, channels: 3, background: { r: 90, g: 140, b: 200 } } })
    .composite([{ input: await sharp({ create: { width: 80, height: 80, channels: 3, background: { r: 220, g: 40, b: 40 } } }).png().toBuffer(), left: 60, top: 50 }])
    .png().toBuffer();
  const question = 'what color is the square?';
  const geometry = runGeometry(rt.model.config, 1);
  const methods: (AnyPruner | null)[] = [null, ...listPruners()];
  const stats = new Map<string, Sample>(methods.map((m) => [m?.id ?? 'none', { prefill: [], selection: [], graph: [], hookSpans: [], prefillSpans: [], dropped: { selection: 0, prefill: 0 }, requests: [], projectorCosineAt: 0, stops: null, flopsPrefill: 0, decoderTokens: [] }]));
  const gcs: Array<[number, number]> = [];
  const observer = new PerformanceObserver((list) => {
    for (const e of list.getEntries()) gcs.push([e.startTime, e.startTime + e.duration]);
  });
  observer.observe({ entryTypes: ['gc'] });
  await rt.warm();
  // Interleaved rounds (round 0 and 1 are warm-ups): load from other processes hits every method alike.
  for (let round = 0; round < rounds + 2; round++) {
    for (const m of methods) {
      const acc: Acc = { ms: 0, spans: [], graph: 0, requests: [], projectorCosineAt: 0 };
      const bound = m ? bindPruner(m, { retention: RETENTION, seed: 0 }, geometry) : null;
      const t0 = performance.now();
      const r = await rt.answer({ images: [image], question, maxNewTokens: 1, ...(bound ? { hooks: timed(bound.hooks, acc) } : {}) });
      if (round < 2) continue;
      const s = stats.get(m?.id ?? 'none')!;
      s.prefill.push(r.timings.prefill ?? 0);
      s.selection.push(acc.ms);
      s.graph.push(acc.graph);
      s.hookSpans.push(acc.spans);
      // The clock's phases run back to back from the call: preprocess, vision, then prefill.
      const prefillStart = t0 + (r.timings.preprocess ?? 0) + (r.timings.vision ?? 0);
      s.prefillSpans.push([prefillStart, prefillStart + (r.timings.prefill ?? 0)]);
      s.requests = acc.requests;
      s.projectorCosineAt = acc.projectorCosineAt;
      s.stops = bound?.hooks.afterDecoderLayer ? (bound.hooks.afterDecoderLayers ?? null) : [];
      s.flopsPrefill = flopsOfRun(rt, r).prefill.total;
      s.decoderTokens = r.tokenCounts.decoder;
    }
  }
  // GC entries arrive asynchronously: let the observer deliver the last ones, then drop the figures they overlap.
  await new Promise((resolve) => setTimeout(resolve, 20));
  for (const e of observer.takeRecords()) gcs.push([e.startTime, e.startTime + e.duration]);
  observer.disconnect();
  for (const s of stats.values()) dropFiguresWithGc(s, gcs);
  // The next-layer q·k probes computed inside layer graphs, timed apart and charged to their method.
  const probeCost = new Map<string, { median: number; p10: number }>();
  for (const [id, sample] of stats) {
    const next = await nextLayerProbeCost(rt, sample, repeats * 2);
    const proj = await projectorProbeCost(rt, sample, repeats * 2);
    probeCost.set(id, { median: next.median + proj.median, p10: next.p10 + proj.p10 });
  }
  const base = stats.get('none')!;
  const baseStats = summarize(base.prefill);
  const basePrefill = baseStats.median;
  const ms = (x: number): string => x.toFixed(2);
  // Median and p10 side by side: on a shared machine the p10 is closer to the unloaded cost.
  table(`Method selection overhead at retention ${RETENTION} (${label}; unpruned prefill ${ms(basePrefill)} ms median, ${ms(baseStats.p10)} ms p10, ${base.prefill.length} of ${rounds} runs, ${base.dropped.prefill} left out for a GC in prefill; target ≤ 2%)`,
    ['method', 'stages', 'runs (left out for a GC)', 'selection ms median [p10]', 'of which in-graph probes (median)', '% of prefill (median)', '% of prefill (p10)', '≤ 2% (median)'],
    listPruners().map((p) => {
      const s = stats.get(p.id)!;
      const hook = summarize(s.selection);
      const probe = probeCost.get(p.id)!;
      const sel = { median: hook.median + probe.median, p10: hook.p10 + probe.p10 };
      const graph = summarize(s.graph).median + probe.median;
      const share = (100 * sel.median) / basePrefill;
      return [p.id, p.stages.join('+'), `${s.selection.length} (${s.dropped.selection})`, `${ms(sel.median)} [${ms(sel.p10)}]`, graph !== 0 ? ms(graph) : '—', `${share.toFixed(2)} %`, `${((100 * sel.p10) / baseStats.p10).toFixed(2)} %`, share <= 2 ? 'yes' : 'NO'];
    }));
  table(`Prefill speed-up at retention ${RETENTION}, measured vs FLOPs (${label}; target measured ≥ 0.8 × FLOPs)`,
    ['method', 'runs (left out for a GC)', 'prefill ms (unpruned → method)', 'measured speed-up', 'FLOPs speed-up', 'measured / FLOPs', '≥ 0.8'],
    SPEEDUP_METHODS.map((id) => {
      const s = stats.get(id)!;
      const p = summarize(s.prefill).median;
      const measured = basePrefill / p;
      const flops = base.flopsPrefill / s.flopsPrefill;
      return [id, `${s.prefill.length} (${s.dropped.prefill})`, `${ms(basePrefill)} → ${ms(p)}`, `${measured.toFixed(2)}×`, `${flops.toFixed(2)}×`, (measured / flops).toFixed(2), measured / flops >= 0.8 ? 'yes' : 'NO'];
    }));
  // The decoder graphs alone at the unpruned length and the shortest pruned one: time vs FLOPs ratio.
  const full = base.decoderTokens.at(-1) ?? 0;
  const pruned = Math.min(...SPEEDUP_METHODS.map((id) => stats.get(id)!.decoderTokens.at(-1) ?? full));
  const [tFull, tPruned, tOne] = await decoderGraphTimes(rt, [full, pruned, 1], repeats * 2);
  const dims = flopsDimsFromConfig(rt.model.config, rt.model.name).text;
  const layerFlops = (n: number): number => decoderLayerFlops(dims, n);
  process.stdout.write(
    `Decoder graphs alone (${rt.model.config.text.numLayers} layers, ${prefillModeFor(rt.graphs) === 'fused' ? 'one fused graph' : 'one graph each, in turn'}, no probes or hooks): ${ms(tFull!)} ms at ${full} tokens, ${ms(tPruned!)} ms at ${pruned} ` +
      `(${(tFull! / tPruned!).toFixed(2)}× faster, FLOPs ${(layerFlops(full) / layerFlops(pruned)).toFixed(2)}×), ${ms(tOne!)} ms at 1 token: ` +
      'a measured/FLOPs ratio near this one is set by the ORT kernels at short lengths (fixed cost per op and per run, lower GEMM efficiency), not by hooks or bookkeeping.\n',
  );
}

/** models/reference when it holds a model (prefill mode as given), else null (the caller's random model stands in). */
export async function referenceRuntime(threads: number | undefined, prefill: 'fused' | 'per-layer' | 'auto' = 'auto'): Promise<VlmRuntime | null> {
  const dir = resolve('models/reference');
  if (!existsSync(join(dir, 'config.json'))) return null;
  return new VlmRuntime(await loadModel(dir), { ...(threads === undefined ? {} : { intraOpThreads: threads }), prefill });
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const { values } = parseArgs({ options: { repeats: { type: 'string' }, threads: { type: 'string' } } });
  const threads = values.threads === undefined ? undefined : Number(values.threads);
  const rt = await referenceRuntime(threads);
  if (!rt) {
    process.stderr.write('bench-methods: models/reference has no model; run `npm run bench` for a reference-sized random one.\n');
    process.exit(2);
  }
  await benchMethods(rt, `models/reference (${rt.model.name})`, Number(values.repeats ?? 10));
  await rt.dispose();
  rt.model.weights.close();
}
