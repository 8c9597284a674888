/**
 * The image-methods results page (docs/results/image-methods.md) from per-sample records: one
 * JSON line per (sample, method, retention), plus one 'none' line per sample for the unpruned
 * model. Records are what `scripts/results-image-methods.ts` appends as it goes, so the page is
 * rebuilt from them without re-running anything (and a killed run resumes where it stopped).
 */
import type { MethodGuidance } from '../../shared/schemas/methods';
import type { MethodOutcome, UnprunedOutcome } from './compare';

/** One line of the records file. */
export interface ResultRecord {
  v: 1;
  sample: string;
  type: string;
  /** Ground-truth boxes of the sample (one-object questions have one). */
  boxes: number;
  method: string;
  retention: number;
  answer: string;
  correct: boolean;
  top1Agree: boolean;
  sameAnswer: boolean;
  kl: number;
  flopsRatio: number;
  equivalentTokens: number;
  achievedRetention: number;
  relevantKept?: number;
  note?: string;
  /** Wall time of the pass, ms. */
  ms: number;
}

/** The key a record is stored and skipped under. */
export function recordKey(sample: string, method: string, retention: number): string {
  return `${sample}|${method}|${retention.toFixed(6)}`;
}

/** The record of an unpruned pass (retention 1, identical to itself). */
export function unprunedRecord(u: UnprunedOutcome, boxes: number): ResultRecord {
  return { v: 1, sample: u.id, type: u.type, boxes, method: 'none', retention: 1, answer: u.answer, correct: u.correct, top1Agree: true, sameAnswer: true, kl: 0, flopsRatio: 1, equivalentTokens: u.visualTokens, achievedRetention: 1, relevantKept: 1, ms: u.ms.total ?? 0 };
}

/** The record of a method's pass. */
export function methodRecord(o: MethodOutcome, boxes: number): ResultRecord {
  return {
    v: 1, sample: o.id, type: o.type, boxes, method: o.method, retention: o.retention, answer: o.answer, correct: o.correct, top1Agree: o.top1Agree, sameAnswer: o.sameAnswer,
    kl: o.kl, flopsRatio: o.flopsRatio, equivalentTokens: o.equivalentTokens, achievedRetention: o.achievedRetention,
    ...(o.relevantKept === undefined ? {} : { relevantKept: o.relevantKept }), ...(o.note === undefined ? {} : { note: o.note }), ms: o.ms.total ?? 0,
  };
}

/** Means of one (method, retention) cell over its samples. */
export interface ResultCell {
  method: string;
  retention: number;
  n: number;
  accuracy: number;
  /** accuracy / the unpruned accuracy on the same samples (NaN when that is 0). */
  relativeAccuracy: number;
  agreement: number;
  kl: number;
  equivalentTokens: number;
  flopsRatio: number;
  relevantKept: number;
  achievedRetention: number;
  /** Accuracy on one-object questions (a single box), and how many there were. */
  oneObject: { n: number; accuracy: number };
  notes: string[];
}

const mean = (xs: readonly number[]): number => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : NaN);

/** Cells for `methods` × `retentions` over the samples in `samples` (records of others are ignored). */
export function aggregate(records: readonly ResultRecord[], samples: ReadonlySet<string>, methods: readonly string[], retentions: readonly number[]): { unpruned: ResultCell; cells: ResultCell[] } {
  const mine = records.filter((r) => samples.has(r.sample));
  const base = new Map(mine.filter((r) => r.method === 'none').map((r) => [r.sample, r]));
  const cell = (method: string, retention: number): ResultCell => {
    const key = retention.toFixed(6);
    const rs = mine.filter((r) => r.method === method && (method === 'none' || r.retention.toFixed(6) === key));
    const unprunedAcc = mean(rs.map((r) => Number(base.get(r.sample)?.correct ?? false)));
    const acc = mean(rs.map((r) => Number(r.correct)));
    const one = rs.filter((r) => r.boxes === 1);
    const relevant = rs.filter((r) => r.relevantKept !== undefined).map((r) => r.relevantKept!);
    return {
      method, retention, n: rs.length, accuracy: acc, relativeAccuracy: unprunedAcc > 0 ? acc / unprunedAcc : NaN,
      agreement: mean(rs.map((r) => Number(r.top1Agree))), kl: mean(rs.map((r) => r.kl)), equivalentTokens: mean(rs.map((r) => r.equivalentTokens)),
      flopsRatio: mean(rs.map((r) => r.flopsRatio)), relevantKept: mean(relevant), achievedRetention: mean(rs.map((r) => r.achievedRetention)),
      oneObject: { n: one.length, accuracy: mean(one.map((r) => Number(r.correct))) },
      notes: [...new Set(rs.flatMap((r) => (r.note ? [r.note] : [])))],
    };
  };
  return { unpruned: cell('none', 1), cells: methods.flatMap((m) => retentions.map((r) => cell(m, r))) };
}

/** What the page says about the run besides the numbers. */
export interface PageContext {
  model: string;
  machine: string;
  provider: string;
  date: string;
  /** The benchmark, e.g. 'shapes:test'. */
  bench: string;
  samples: number;
  benchmarkImages: number;
  visualTokens: number;
  command: string;
  /** Per method: what retention means for it ('kept' or 'layer-average'). */
  meanings: Record<string, 'kept' | 'layer-average'>;
  /** Per method: what decides which tokens it keeps (registry `guidance`). */
  guidance: Record<string, MethodGuidance>;
}

/** How the one-object section names each guidance class. */
const GUIDANCE_LABEL: Record<MethodGuidance, string> = { none: 'content-blind', visual: 'visual', text: 'text-guided', diversity: 'diversity', labels: 'ground truth' };

/** Classes issue 5's target covers: text-guided and diversity methods must beat random on one-object questions. */
const TARGETED: ReadonlySet<MethodGuidance> = new Set(['text', 'diversity']);

const f3 = (x: number): string => (Number.isFinite(x) ? x.toFixed(3) : '—');
const pct = (x: number): string => (Number.isFinite(x) ? `${(100 * x).toFixed(1)}%` : '—');
const frac = (r: number): string => (Math.abs(r - 1 / 9) < 1e-9 ? '1/9' : Math.abs(r - 1 / 4) < 1e-9 ? '1/4' : Math.abs(r - 1 / 2) < 1e-9 ? '1/2' : r.toFixed(3));

function row(c: ResultCell, label = c.method): string {
  return `| ${label} | ${c.n} | ${pct(c.accuracy)} | ${f3(c.relativeAccuracy)} | ${pct(c.agreement)} | ${c.kl.toExponential(2)} | ${c.equivalentTokens.toFixed(1)} | ${f3(c.flopsRatio)} | ${pct(c.relevantKept)} | ${f3(c.achievedRetention)} |`;
}

/**
 * The one-object section at the lowest retention `low`: each method against random, its guidance
 * class, the verdict on the target (text-guided and diversity methods above random), and for each
 * method not above random what the figures say about why.
 */
function oneObjectSection(ctx: PageContext, at: readonly ResultCell[], low: number): string[] {
  const rnd = at.find((c) => c.method === 'random');
  const kind = (c: ResultCell): MethodGuidance | undefined => ctx.guidance[c.method];
  const out = [`## One-object questions at retention ${frac(low)}`, '', 'Questions whose answer depends on one object (one ground-truth box): does each method beat random token selection? Guided by: what decides which tokens it keeps (content-blind: a draw or a fixed grid; visual: the image\'s own attention; text-guided: the question\'s attention to the image; diversity: coverage of the feature space).', '', '| method | guided by | n | accuracy | random | relevant kept | random keeps |', '|---|---|---|---|---|---|---|'];
  for (const c of at.filter((x) => x.method !== 'random')) {
    const g = kind(c);
    out.push(`| ${c.method} | ${g ? GUIDANCE_LABEL[g] : '—'} | ${c.oneObject.n} | ${pct(c.oneObject.accuracy)} | ${pct(rnd?.oneObject.accuracy ?? NaN)} | ${pct(c.relevantKept)} | ${pct(rnd?.relevantKept ?? NaN)} |`);
  }
  if (!rnd) return out;
  const above = (c: ResultCell): boolean => c.oneObject.accuracy > rnd.oneObject.accuracy;
  const targeted = at.filter((c) => {
    const g = kind(c);
    return c.method !== 'random' && g !== undefined && TARGETED.has(g);
  });
  const missed = targeted.filter((c) => !above(c));
  out.push('', targeted.length === 0
    ? 'Target (text-guided and diversity methods above random): no such method was evaluated.'
    : missed.length === 0
      ? `Target (text-guided and diversity methods above random): met by all ${targeted.length} (${targeted.map((c) => c.method).join(', ')}).`
      : `Target (text-guided and diversity methods above random): missed by ${missed.map((c) => c.method).join(', ')}; met by ${targeted.length - missed.length} of ${targeted.length}.`);
  const behind = at.filter((c) => c.method !== 'random' && !above(c));
  for (const c of behind) {
    const figures = `${pct(c.oneObject.accuracy)} vs ${pct(rnd.oneObject.accuracy)}; relevant kept ${pct(c.relevantKept)} vs ${pct(rnd.relevantKept)}${c.achievedRetention > low * 1.01 ? `; it kept more than asked, ${f3(c.achievedRetention)}` : ''}`;
    const sameShare = Math.abs(c.relevantKept - rnd.relevantKept) < 0.005;
    const why = kind(c) === 'none'
      ? `it chooses tokens without looking at them, so it holds the object's tokens only as often as chance does${sameShare ? '; with the same share kept, the gap is in what its tokens carry (a pooled token mixes the object with its surroundings, random keeps whole patches)' : ''}`
      : c.relevantKept > rnd.relevantKept
        ? "it holds more of the object's tokens than random, so the loss is in what the kept tokens carry or in the context dropped around them"
        : "its scores did not find the object's tokens on this model (relevant kept no better than random's)";
    out.push('', `Not above random: **${c.method}** (${figures}): ${why}.`);
  }
  if (behind.length) out.push('', `With n = ${rnd.oneObject.n} one-object samples, differences of a few points are within noise.`);
  else out.push('', 'Every method is above random on one-object questions here.');
  return out;
}

/** The markdown page: context, one table per retention, one-object questions at the lowest retention, notes. */
export function renderPage(ctx: PageContext, unpruned: ResultCell, cells: readonly ResultCell[], retentions: readonly number[]): string {
  const header = '| method | n | accuracy | rel. accuracy | agreement | KL (nats) | eq. tokens | FLOPs ratio | relevant kept | achieved retention |\n|---|---|---|---|---|---|---|---|---|---|';
  const out: string[] = [
    `# Image compression methods on ${ctx.bench} (images)`,
    '',
    `Generated ${ctx.date} by \`${ctx.command}\`. Rebuilt from the per-sample records, which the script appends as it runs (rerun it to resume).`,
    '',
    `- **Model**: ${ctx.model}; ${ctx.visualTokens} visual tokens per image`,
    `- **Machine**: ${ctx.machine}; execution provider ${ctx.provider}`,
    `- **Samples**: ${ctx.samples} of the ${ctx.benchmarkImages} image samples of ${ctx.bench}${ctx.samples < ctx.benchmarkImages ? ' (a subset: --limit, stratified by question type)' : ''}; greedy decoding, at most 8 new tokens`,
    '',
    'Columns: accuracy is normalised exact match; relative accuracy is accuracy over the unpruned model\'s on the same samples; agreement is the share of samples whose first answer token is the unpruned model\'s top-1; KL is KL(unpruned ‖ method) over the first answer token, mean over samples; equivalent tokens is the visual-token count averaged over decoder layers; FLOPs ratio is the method\'s FLOPs (its probes and selection included) over the unpruned run\'s; relevant kept is the layer-averaged share of the tokens under the question\'s ground-truth boxes still present (1/m credit inside a merged token of m); achieved retention is in the method\'s own meaning (fraction kept at its pruning point, or equivalent tokens / N for progressive methods).',
    '',
  ];
  for (const r of retentions) {
    out.push(`## Retention ${frac(r)} (${(r * ctx.visualTokens).toFixed(1)} of ${ctx.visualTokens} tokens)`, '', header, row(unpruned, 'unpruned'), ...cells.filter((c) => c.retention === r).map((c) => row(c)), '');
  }
  const low = Math.min(...retentions);
  const at = cells.filter((c) => c.retention === low);
  out.push(...oneObjectSection(ctx, at, low));
  const notes = cells.flatMap((c) => {
    const off = Math.abs(c.achievedRetention - c.retention) > 0.01 * c.retention + 1e-9;
    const said = c.notes.length ? ` The method says: ${c.notes.join('; ')}.` : '';
    return off || said ? [`- **${c.method} at ${frac(c.retention)}** (${ctx.meanings[c.method] ?? 'kept'}): achieved ${f3(c.achievedRetention)} of the requested ${f3(c.retention)}.${said}`] : [];
  });
  out.push('', '## Notes', '', ...(notes.length ? notes : ['- Every method reached the requested retention.']), '');
  return out.join('\n');
}
