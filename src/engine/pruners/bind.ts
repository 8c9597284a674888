/**
 * Binds a pruner to the VLM runtime's hooks (src/engine/models/runtime/hooks.ts): turns its
 * probe needs into probe requests, hands its pure hooks plain matrices, and applies every edit it
 * returns to the runtime's TokenSequence (or KvCache) AND to the token trace in the same place —
 * the only place either is edited — so the trace always describes the tokens each layer received.
 * Every decoder layer's input counts are observed and checked against the trace at the end.
 *
 * Example (one run; bind afresh for every run, warm-ups and repeats included — state is per run):
 *   const bound = bindPruner(getPruner('fastv'), { retention: 0.25, user: {}, seed: 0 }, runGeometry(rt.model.config, images.length));
 *   const r = await rt.answer({ images, question, hooks: combineHooks([bound.hooks, progressHooks]) });
 *   const report = bound.report(r.layout);  // { params, plannedRetention, achievedRetention: 0.25, equivalentTokens, trace }
 * Put the pruner's hooks first in combineHooks: hooks after it see its edits.
 */
import type { LlavaConfig } from '../models/checkpoint/types';
import type { DecoderLayerContext, DecoderProbeRequest, KvCacheContext, PrefillLayout, RuntimeHooks, VisualTokensContext, VitLayerContext } from '../models/runtime/hooks';
import type { TokenSequence } from '../models/runtime/token-sequence';
import { featureStateIndex } from '../models/runtime/vision';
import { ApiError } from '../../shared/errors';
import { equivalentTokens, originalTokenCount, type PruningReport, type TokenTrace } from '../../shared/trace';
import { TraceBuilder, type SequenceEntry } from '../../shared/trace-builder';
import { matrix, subMatrix, type Matrix } from './algorithms/matrix';
import { seededUniform } from '../../shared/random';
import { meanRowsInto } from './algorithms/similarity';
import { achievedRetention, type AnyPruner, type HookEnv, type QueryRows, type ResolvedParams, type RunGeometry, type TokenEdit, type VisualInput } from './define';

/** The geometry of a run of `config` on `frames` frames (video frames are pooled per config.video). */
export function runGeometry(config: LlavaConfig, frames: number): RunGeometry {
  if (config.visionFeatureSelectStrategy !== 'default') {
    throw new Error(`pruners need vision_feature_select_strategy 'default' (CLS dropped before the projector); this model uses '${config.visionFeatureSelectStrategy}'.`);
  }
  const side = config.vision.imageSize / config.vision.patchSize;
  const stride = frames > 1 && config.video ? config.video.spatialPoolStride : 1;
  const pooled = Math.floor(side / stride);
  const grid = { frames, rows: pooled, cols: pooled };
  return {
    vitLayers: config.vision.numLayers,
    featureLayer: featureStateIndex(config) - 1,
    decoderLayers: config.text.numLayers,
    patchGrid: { rows: side, cols: side },
    grid,
    visualTokens: originalTokenCount(grid),
  };
}

/** A pruner bound to one run: pass `hooks` to the runtime, then call `trace(layout)` or `report(layout)`. */
export interface BoundPruner {
  resolved: ResolvedParams<Record<string, unknown>>;
  hooks: RuntimeHooks;
  /** The finished trace; call after the run (throws when observed counts disagree with it). */
  trace(layout: PrefillLayout): TokenTrace;
  /** What a run result reports about the method (shared/trace.ts `PruningReport`). */
  report(layout: PrefillLayout): PruningReport;
}

function rowsFor(kind: QueryRows, seq: TokenSequence): number[] {
  const { start, count } = seq.visualSpan();
  const from = kind === 'last' ? seq.length - 1 : kind === 'after-visual' ? start + count : start;
  const rows: number[] = [];
  for (let r = from; r < seq.length; r++) rows.push(r);
  return rows;
}

/**
 * Applies `edit` to the rows `offset + position` of `seq` (a block of `blockLength` rows); the
 * rows around the block (CLS, text) stay as they are. Kept and merged entries take their
 * representative's row (a merge's `at`, else its first member), then the block's rows are
 * overwritten with the edit's features, or with the plain mean of a merge's members.
 */
function applyToSequence(seq: TokenSequence, edit: TokenEdit, offset: number, blockLength: number): void {
  const dim = seq.dim;
  if (edit.features && (edit.features.rows !== edit.sequence.length || edit.features.cols !== dim)) {
    throw new Error(`${edit.label}: ${edit.features.rows}×${edit.features.cols} features for ${edit.sequence.length} tokens of width ${dim}`);
  }
  const rows: number[] = [];
  for (let r = 0; r < offset; r++) rows.push(r);
  for (const e of edit.sequence) rows.push(offset + ('keep' in e ? e.keep : (e.at ?? e.merge[0]!)));
  for (let r = offset + blockLength; r < seq.length; r++) rows.push(r);
  const old = seq.hidden;
  seq.gather(rows); // a fresh copy of the rows: the block's rows are overwritten in it below
  const hidden = seq.hidden;
  if (edit.features) {
    hidden.set(edit.features.data, offset * dim);
    return;
  }
  // Every merge's mean in one kernel call (similarity.ts meanRowsInto: addDividedRow's arithmetic).
  const at: number[] = [];
  const groups: (readonly number[])[] = [];
  for (let k = 0; k < edit.sequence.length; k++) {
    const e = edit.sequence[k]!;
    if (!('merge' in e)) continue;
    at.push(offset + k);
    groups.push(offset === 0 ? e.merge : e.merge.map((m) => offset + m));
  }
  if (groups.length) meanRowsInto(hidden, at, old, dim, groups);
}

/** The first position (kept, then merge members, in sequence order) that is not an index into `block` tokens. */
function firstOutside(edit: TokenEdit, block: number): number | undefined {
  // Indexed loops and no closure: this runs once per edit, too rarely for V8 to optimise it.
  const seq = edit.sequence;
  for (let i = 0; i < seq.length; i++) {
    const e = seq[i]!;
    if ('keep' in e) {
      if (!isPosition(e.keep, block)) return e.keep;
      continue;
    }
    for (let j = 0; j < e.merge.length; j++) if (!isPosition(e.merge[j]!, block)) return e.merge[j];
  }
  return undefined;
}

/** Whether `p` indexes one of `block` tokens. */
function isPosition(p: number, block: number): boolean {
  return Number.isInteger(p) && p >= 0 && p < block;
}

/** The requested rows of an attention probe (in request order), dropping rows other hooks added. */
export function ownRows(probe: { rows: number[]; values: Float32Array } | undefined, wanted: readonly number[], n: number): { rows: number[]; values: Matrix } | undefined {
  if (!probe || wanted.length === 0) return undefined;
  const all = matrix(probe.values, probe.rows.length, n);
  // No other hook added rows (the usual case): the probe's matrix is the answer, no copy needed.
  let same = probe.rows.length === wanted.length;
  for (let i = 0; same && i < wanted.length; i++) same = probe.rows[i] === wanted[i];
  if (same) return { rows: wanted.slice(), values: all };
  const at = wanted.map((r) => {
    const i = probe.rows.indexOf(r);
    if (i < 0) throw new Error(`attention row ${r} was requested but not returned`);
    return i;
  });
  return { rows: [...wanted], values: subMatrix(all, at, 0, n) };
}

/** Whether two index lists (rows, or visual token ids) are equal element by element. */
function sameRows(a: ArrayLike<number>, b: ArrayLike<number>): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Parsed parameters per method definition, by the JSON of the user's values, most recently used last. */
const parsedParams = new WeakMap<AnyPruner, Map<string, Record<string, unknown>>>();
const PARSED_PARAMS_CAPACITY = 32;

/**
 * The user's parameters checked against the method's schema; unknown names are errors, not ignored.
 * A successful parse is cached per definition by the JSON of `user` and handed out as a fresh deep copy:
 * zod's strict parse costs ~0.5 ms, which the lab would otherwise pay on every method pass.
 */
function parseParams(d: AnyPruner, user: Record<string, unknown>): Record<string, unknown> {
  // A top-level undefined would vanish from the JSON key, yet the strict parse rejects an unknown name even then.
  const key = Object.values(user).includes(undefined) ? null : JSON.stringify(user);
  let cache = parsedParams.get(d);
  if (!cache) parsedParams.set(d, (cache = new Map()));
  const hit = key === null ? undefined : cache.get(key);
  if (hit && key !== null) {
    cache.delete(key);
    cache.set(key, hit);
    return structuredClone(hit);
  }
  const result = d.params.strict().safeParse(user);
  if (result.success) {
    if (key === null) return result.data;
    cache.set(key, structuredClone(result.data));
    if (cache.size > PARSED_PARAMS_CAPACITY) cache.delete(cache.keys().next().value!);
    return result.data;
  }
  const problems = result.error.issues.map((i) => `${i.path.join('.') || '(parameters)'}: ${i.message}`).join('; ');
  throw new ApiError('invalid-input', `method '${d.id}': ${problems}`, {
    subject: d.id,
    hint: `Its parameters are ${Object.keys(d.params.shape).join(', ')}; \`tokenlab methods\` shows their types and defaults.`,
    cause: result.error,
  });
}

/**
 * Binds `def` for one run. `user` are explicit parameters (validated by the method's schema);
 * `seed` drives the method's only randomness.
 */
export function bindPruner(d: AnyPruner, options: { retention: number; user?: Record<string, unknown>; seed?: number }, geometry: RunGeometry): BoundPruner {
  if (!(options.retention > 0 && options.retention <= 1)) {
    throw new ApiError('invalid-input', `retention must be in (0, 1], got ${options.retention}`, { subject: 'retention', hint: 'Retention is the fraction of visual tokens kept: 0.25 keeps a quarter.' });
  }
  const modality = geometry.grid.frames > 1 ? 'video' : 'image';
  if (!d.modalities.includes(modality)) {
    throw new ApiError('unsupported', `method '${d.id}' does not support ${modality} input (it supports ${d.modalities.join(', ')})`, { subject: d.id, hint: 'Pick a method that lists this modality in `tokenlab methods`.' });
  }
  const resolved = d.resolveParams(options.retention, parseParams(d, options.user ?? {}), geometry);
  const params = resolved.params;
  const needs = d.needs(params, geometry);
  const env: HookEnv<Record<string, unknown>, unknown> = { params, state: d.createState(params, geometry), geometry, random: seededUniform(options.seed ?? 0) };
  const hooks = d.hooks;
  const builder = new TraceBuilder(geometry.grid, d.positions);
  const frameCounts = Array.from({ length: geometry.grid.frames }, () => geometry.grid.rows * geometry.grid.cols);
  let inputEmbeddings: { visual: Matrix; text: Matrix } | undefined;
  // Attention rows this method asked for, per layer: combined hooks may add rows of their own.
  const requestedRows = new Map<number, number[]>();
  // The method's hook runs only after the decoder layers it declared in `needs` (define.ts), so
  // the runtime may fuse every other run of layers into one graph.
  const hookLayers = hooks.afterDecoderLayer ? [...new Set((needs.decoder ?? []).map((n) => n.layer))].sort((a, b) => a - b) : [];
  const hookLayerSet = new Set(hookLayers);
  // What the method needs at each layer, grouped once here rather than filtered at every call.
  const decoderNeeds = groupByLayer(needs.decoder ?? []);
  // Per layer: the kinds of attention rows to request (distinct) and whether transitions are needed.
  // The next layer's q·k rows are asked for as an in-graph probe of the layer (one session run fewer).
  const probePlans = new Map([...decoderNeeds].map(([layer, want]) => [layer, { kinds: [...new Set(want.flatMap((w) => (w.attention ? [w.attention] : [])))], transitions: want.some((w) => !!w.transitions), next: want.find((w) => w.nextLayer)?.nextLayer }]));
  // Next-layer rows this method asked for, per layer (combined hooks may add rows of their own).
  const requestedNextRows = new Map<number, number[]>();
  const vitNeeds = groupByLayer(needs.vit ?? []);

  const record = (stage: 'vit' | 'vision' | 'llm', edit: TokenEdit, at: { layer?: number; frame?: number }, offset: number, block: number): void => {
    const live = builder.visualCount;
    const outside = firstOutside(edit, block);
    if (outside !== undefined) throw new Error(`${d.id} (${edit.label}): position ${outside} is outside the ${block} tokens it may edit`);
    if (edit.scores && edit.scores.length !== block) throw new Error(`${d.id} (${edit.label}): ${edit.scores.length} scores for ${block} tokens`);
    if (offset === 0 && block === live) {
      // The edit spans every live token (vision and decoder stages): its positions are the trace's.
      builder.apply({ stage, label: edit.label, ...at }, edit.sequence, edit.scores);
      return;
    }
    const sequence: SequenceEntry[] = [];
    for (let p = 0; p < offset; p++) sequence.push({ keep: p });
    for (const e of edit.sequence) sequence.push('keep' in e ? { keep: e.keep + offset } : { ...e, merge: e.merge.map((m) => m + offset), ...(e.at === undefined ? {} : { at: e.at + offset }) });
    for (let p = offset + block; p < live; p++) sequence.push({ keep: p });
    let scores: Float64Array | undefined;
    if (edit.scores) {
      scores = new Float64Array(live).fill(0);
      for (let i = 0; i < block; i++) scores[offset + i] = edit.scores[i]!;
    }
    builder.apply({ stage, label: edit.label, ...at }, sequence, scores);
  };

  const checkBlock = (where: string, count: number): void => {
    if (count !== builder.visualCount) throw new Error(`${d.id} ${where}: the runtime holds ${count} visual tokens, the trace ${builder.visualCount}; an edit bypassed the binder.`);
  };

  const runtime: RuntimeHooks = {
    // A method keeping original positions keeps them for its edits before the LLM too.
    ...(d.positions === 'original' ? { visualPositions: 'original' as const } : {}),
    projectorProbes: () => ({ cosine: true }),
    vitProbes: (layer) => {
      const want = vitNeeds.get(layer);
      if (!want) return undefined;
      const set = { clsAttention: want.some((w) => w.clsAttention), keyMean: want.some((w) => w.keys) };
      return set.clsAttention || set.keyMean ? set : undefined;
    },
    afterVitLayers: [...vitNeeds.keys()].sort((a, b) => a - b),
    afterVitLayer: (ctx: VitLayerContext) => {
      // Only after the layers the method declared (define.ts ProbeNeeds.vit).
      if (!hooks.afterVitLayer || !vitNeeds.has(ctx.layer)) return;
      const n = ctx.seq.length - 1;
      // Copied only when asked for: most methods read probes here, not hidden states.
      const patches = (): Matrix => matrix(ctx.seq.hidden.slice(ctx.seq.dim), n, ctx.seq.dim);
      const keyDim = ctx.probes.keyMean ? ctx.probes.keyMean.length / (n + 1) : 0;
      const edit = hooks.afterVitLayer(
        {
          frame: ctx.frame,
          layer: ctx.layer,
          grid: ctx.grid,
          featuresTaken: ctx.featuresTaken,
          patches,
          // Views, not copies (define.ts VitLayerInput): the graph's outputs are fresh per run.
          ...(ctx.probes.clsAttention ? { clsAttention: ctx.probes.clsAttention.subarray(1) } : {}),
          ...(ctx.probes.keyMean ? { keys: matrix(ctx.probes.keyMean.subarray(keyDim), n, keyDim) } : {}),
        },
        env,
      );
      if (!edit) return;
      if (ctx.layer > geometry.featureLayer) throw new Error(`${d.id}: an edit after ViT layer ${ctx.layer} cannot reach the LLM (features come from layer ${geometry.featureLayer}).`);
      const offset = frameCounts.slice(0, ctx.frame).reduce((a, b) => a + b, 0);
      record('vit', edit, { layer: ctx.layer, frame: ctx.frame }, offset, n);
      applyToSequence(ctx.seq, edit, 1, n);
      frameCounts[ctx.frame] = edit.sequence.length;
    },
    beforeProjector: (ctx: VisualTokensContext) => visualHook('beforeProjector', ctx),
    afterProjector: (ctx: VisualTokensContext) => visualHook('beforeLlm', ctx),
    decoderProbes: (layer, seq): DecoderProbeRequest | undefined => {
      const span = seq.visualSpan();
      builder.observeLayerInput(layer, { visual: span.count, total: seq.length });
      if (layer === 0 && needs.inputEmbeddings) {
        const end = span.start + span.count;
        inputEmbeddings = { visual: matrix(seq.hidden.slice(span.start * seq.dim, end * seq.dim), span.count, seq.dim), text: matrix(seq.hidden.slice(end * seq.dim), seq.length - end, seq.dim) };
      }
      const plan = probePlans.get(layer);
      if (!plan) return undefined;
      // One kind gives ascending distinct rows already; several are merged and sorted.
      const rows = plan.kinds.length === 0 ? [] : plan.kinds.length === 1 ? rowsFor(plan.kinds[0]!, seq) : [...new Set(plan.kinds.flatMap((k) => rowsFor(k, seq)))].sort((a, b) => a - b);
      requestedRows.set(layer, rows);
      const next = plan.next && layer + 1 < geometry.decoderLayers ? rowsFor(plan.next, seq) : undefined;
      if (next) requestedNextRows.set(layer, next);
      const req: DecoderProbeRequest | undefined = rows.length ? { attentionRows: rows, transitions: plan.transitions } : plan.transitions ? { transitions: true } : undefined;
      return next?.length ? { ...req, nextLayerRows: next } : req;
    },
    afterDecoderLayers: hookLayers,
    afterDecoderLayer: (ctx: DecoderLayerContext): void | Promise<void> => {
      if (!hooks.afterDecoderLayer || !hookLayerSet.has(ctx.layer)) return;
      const nextKind = probePlans.get(ctx.layer)?.next;
      if (!nextKind) return decoderEdit(ctx, undefined);
      const rows = rowsFor(nextKind, ctx.seq);
      // Normally the layer's graph computed them (decoderProbes asked for these very rows); only
      // when it did not (rows changed since) does the hook wait on the separate q·k graph.
      const asked = requestedNextRows.get(ctx.layer);
      if (ctx.probes.nextLayer && asked && sameRows(asked, rows)) return decoderEdit(ctx, ownRows(ctx.probes.nextLayer, rows, ctx.seq.length));
      return ctx.nextLayerScores(rows).then((values) => decoderEdit(ctx, { rows, values: matrix(values, rows.length, ctx.seq.length) }));
    },
    beforeDecode: (ctx: KvCacheContext) => {
      const span = ctx.seq.visualSpan();
      checkBlock('before decoding', span.count);
      if (!hooks.beforeDecode) return;
      const first = ctx.layout.prefixLength;
      const initialVisual = ctx.layout.visualIds.length;
      // keepSource[s - first] = 1 for visual sources still live at the end of prefill.
      const keepSource = new Uint8Array(initialVisual);
      for (let i = span.start; i < span.start + span.count; i++) keepSource[ctx.seq.sources[i]! - first] = 1;
      const layers = ctx.cache.layers.map((c, layer) => {
        let visualSlots = 0;
        for (const s of c.sources) if (s >= first && s < first + initialVisual) visualSlots++;
        return { layer, length: c.length, visualSlots };
      });
      const edit = hooks.beforeDecode({ layers, finalVisualCount: span.count }, env);
      if (!edit) return;
      if (edit.compact) {
        for (let l = edit.compact.from; l <= edit.compact.to; l++) {
          const sources = ctx.cache.layer(l).sources;
          const slots: number[] = [];
          for (let slot = 0; slot < sources.length; slot++) {
            const v = sources[slot]! - first;
            if (v < 0 || v >= initialVisual || keepSource[v]) slots.push(slot);
          }
          ctx.cache.gather(l, slots);
        }
      }
      if (edit.nextPosition === 'cache-length') for (const c of ctx.cache.layers) c.nextPosition = c.length;
      builder.apply({ stage: 'kv', label: edit.label, ...(edit.compact ? { kvLayers: edit.compact } : {}) }, builder.liveIds.map((_, keep) => ({ keep })));
    },
  };

  // The runtime calls every hook it is given at every layer (vitProbes twice per ViT layer), so
  // hooks with nothing to do for this method are left out rather than called to return at once.
  // What they would have checked is still checked: counts at every decoder layer and before decoding.
  if (!needs.vit?.some((w) => w.clsAttention || w.keys)) delete runtime.vitProbes;
  if (!needs.projectorCosine || !hooks.beforeLlm) delete runtime.projectorProbes;
  if (!hooks.afterVitLayer || !needs.vit?.length) {
    delete runtime.afterVitLayer;
    delete runtime.afterVitLayers;
  }
  if (!hooks.beforeProjector) delete runtime.beforeProjector;
  if (!hooks.beforeLlm) delete runtime.afterProjector;
  if (!hooks.afterDecoderLayer) delete runtime.afterDecoderLayer;

  /** The method's afterDecoderLayer on one layer's probes (and next-layer scores), its edit applied. */
  function decoderEdit(ctx: DecoderLayerContext, next: { rows: number[]; values: Matrix } | undefined): void {
    const seq = ctx.seq;
    const span = seq.visualSpan();
    if (span.count !== builder.visualCount) checkBlock(`after decoder layer ${ctx.layer}`, span.count); // the label only when it fails
    const att = ownRows(ctx.probes.attentionRows, requestedRows.get(ctx.layer) ?? [], seq.length);
    const edit = hooks.afterDecoderLayer!(
      {
        layer: ctx.layer,
        span: { visualStart: span.start, visualCount: span.count, length: seq.length },
        ...(att ? { attention: att } : {}),
        ...(ctx.probes.transitions ? { transitions: ctx.probes.transitions } : {}),
        ...(next ? { nextLayer: next } : {}),
        ...(inputEmbeddings ? { inputEmbeddings } : {}),
        visualHidden: () => matrix(seq.hidden.slice(span.start * seq.dim, (span.start + span.count) * seq.dim), span.count, seq.dim),
      },
      env,
    );
    if (!edit) return;
    record('llm', edit, { layer: ctx.layer }, 0, span.count);
    applyToSequence(seq, edit, span.start, span.count);
    if (d.positions !== 'original') seq.compactPositions();
  }

  function visualHook(which: 'beforeProjector' | 'beforeLlm', ctx: VisualTokensContext): void {
    const hook = hooks[which];
    if (!hook) return;
    checkBlock(which, ctx.seq.length);
    const n = ctx.seq.length;
    const input: VisualInput = { features: matrix(ctx.seq.hidden, n, ctx.seq.dim), frames: ctx.frames.map((f) => ({ ...f })) };
    const cosine = which === 'beforeLlm' && needs.projectorCosine ? ctx.probes?.cosine : undefined;
    if (cosine && sameRows(ctx.probes!.sources, ctx.seq.sources)) input.cosine = matrix(cosine, n, n);
    const edit = hook(input, env);
    if (!edit) return;
    record('vision', edit, {}, 0, ctx.seq.length);
    applyToSequence(ctx.seq, edit, 0, ctx.seq.length);
  }

  const trace = (layout: PrefillLayout): TokenTrace => builder.finish({ decoderLayers: geometry.decoderLayers, nonVisualTokens: layout.prefixLength + layout.suffixLength });
  return {
    resolved,
    hooks: runtime,
    trace,
    report: (layout) => {
      const t = trace(layout);
      return {
        method: d.id,
        params: resolved.params,
        retentionMeaning: d.retention,
        ...(resolved.plannedRetention === undefined ? {} : { plannedRetention: resolved.plannedRetention }),
        achievedRetention: achievedRetention(t, d.retention),
        equivalentTokens: equivalentTokens(t),
        ...(resolved.note === undefined ? {} : { note: resolved.note }),
        trace: t,
      };
    },
  };
}

/** Entries grouped by their `layer`, in input order. */
function groupByLayer<T extends { layer: number }>(entries: readonly T[]): Map<number, T[]> {
  const out = new Map<number, T[]>();
  for (const e of entries) {
    const list = out.get(e.layer);
    if (list) list.push(e);
    else out.set(e.layer, [e]);
  }
  return out;
}
