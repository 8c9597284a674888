/**
 * The engine-measured block of a model card (issue 4): unpruned accuracy per question type for
 * images and for videos next to each type's majority-class rate, the oracle (ground-truth boxes)
 * and random 1/9 on the same samples, and whether each issue-4 target is met. Pure: the outcomes
 * come from scripts/model-card-figures.ts; this turns them into markdown between the markers and
 * puts that into the card, leaving the rest of the file as it is.
 */
import type { BenchSample } from '../bench/types';
import type { MethodOutcome } from './compare';
import { summarizeOutcomes, type EvalSummary, type SampleOutcome } from './evaluate';

/** The markers around the block in the card. */
export const BLOCK_START = '<!-- engine-figures:start -->';
export const BLOCK_END = '<!-- engine-figures:end -->';

/** Issue-4 thresholds, in accuracy points (0–100). */
export const TARGETS = { images: 90, videos: 80, aboveMajority: 15, oracleWithin: 5, randomLoses: 20 } as const;

type Kind = 'image' | 'video';
const KINDS: readonly Kind[] = ['image', 'video'];

/** All figures of the block, per media kind and overall. */
export interface CardFigures {
  unpruned: Partial<Record<Kind, EvalSummary>> & { all: EvalSummary };
  /** Per setting (oracle, random): accuracy and mean achieved retention, per kind and overall. */
  pruned: Record<string, Partial<Record<Kind | 'all', { accuracy: number; n: number; retention: number }>>>;
}

/**
 * Summarises the outcomes of the picked samples: unpruned per kind (majority rates from that kind's
 * samples in `allSamples`, the whole benchmark) and every pruned setting by its method id.
 */
export function cardFigures(unpruned: readonly SampleOutcome[], pruned: readonly MethodOutcome[], allSamples: readonly (Pick<BenchSample, 'type' | 'answer'> & { media: { kind: string } })[]): CardFigures {
  const u: CardFigures['unpruned'] = { all: summarizeOutcomes(unpruned, allSamples) };
  for (const kind of KINDS) {
    const list = unpruned.filter((o) => o.kind === kind);
    if (list.length) u[kind] = summarizeOutcomes(list, allSamples.filter((s) => s.media.kind === kind));
  }
  const p: CardFigures['pruned'] = {};
  for (const id of [...new Set(pruned.map((o) => o.method))]) {
    const mine = pruned.filter((o) => o.method === id);
    const cell = (list: readonly MethodOutcome[]): { accuracy: number; n: number; retention: number } => ({
      accuracy: list.filter((o) => o.correct).length / list.length, n: list.length, retention: list.reduce((a, o) => a + o.achievedRetention, 0) / list.length,
    });
    p[id] = { all: cell(mine) };
    for (const kind of KINDS) {
      const list = mine.filter((o) => o.kind === kind);
      if (list.length) p[id][kind] = cell(list);
    }
  }
  return { unpruned: u, pruned: p };
}

/** One issue-4 target: what it asks, what was measured, whether it holds (null: not measured). */
export interface TargetCheck {
  target: string;
  measured: string;
  met: boolean | null;
}

const pts = (x: number): string => `${x >= 0 ? '+' : '−'}${Math.abs(100 * x).toFixed(1)}`;
const pct = (x: number): string => `${(100 * x).toFixed(1)}%`;

/** The five issue-4 targets checked against `f` (the oracle's and random's settings named by `ids`). */
export function checkTargets(f: CardFigures, ids: { oracle: string; random: string }): TargetCheck[] {
  const out: TargetCheck[] = [];
  for (const [kind, min] of [['image', TARGETS.images], ['video', TARGETS.videos]] as const) {
    const s = f.unpruned[kind];
    out.push({ target: `unpruned ${kind}s ≥ ${min}%`, measured: s ? pct(s.accuracy) : 'not measured', met: s ? 100 * s.accuracy >= min : null });
  }
  const gaps = Object.entries(f.unpruned.all.byType).map(([type, c]) => ({ type, gap: c.accuracy - c.majority }));
  const short = gaps.filter((g) => 100 * g.gap < TARGETS.aboveMajority);
  const lowest = [...gaps].sort((a, b) => a.gap - b.gap)[0];
  out.push({
    target: `every type ≥ ${TARGETS.aboveMajority} points above its majority rate`,
    measured: lowest ? `lowest ${lowest.type} ${pts(lowest.gap)}${short.length ? `; below: ${short.map((g) => `${g.type} ${pts(g.gap)}`).join(', ')}` : ''}` : 'not measured',
    met: lowest ? short.length === 0 : null,
  });
  const drop = (id: string): number | null => {
    const c = f.pruned[id]?.all;
    return c ? f.unpruned.all.accuracy - c.accuracy : null;
  };
  const o = drop(ids.oracle);
  out.push({ target: `oracle within ${TARGETS.oracleWithin} points of unpruned (loses at most ${TARGETS.oracleWithin})`, measured: o === null ? 'not measured' : `${pts(-o)} points (oracle ${pct(f.pruned[ids.oracle]!.all!.accuracy)})`, met: o === null ? null : 100 * o <= TARGETS.oracleWithin });
  const r = drop(ids.random);
  out.push({ target: `random 11% loses ≥ ${TARGETS.randomLoses} points`, measured: r === null ? 'not measured' : `${pts(-r)} points (random ${pct(f.pruned[ids.random]!.all!.accuracy)})`, met: r === null ? null : 100 * r >= TARGETS.randomLoses });
  return out;
}

/** Facts printed above the tables. */
export interface CardContext {
  export: string;
  bench: string;
  samples: string;
  machine: string;
  date: string;
  command: string;
  wall: string;
}

/** The markdown block, markers included. `labels` names each pruned setting's row. */
export function renderBlock(f: CardFigures, targets: readonly TargetCheck[], ctx: CardContext, labels: Record<string, string>): string {
  const yes = (m: boolean | null): string => (m === null ? 'not measured' : m ? 'yes' : '**no**');
  const lines = [
    BLOCK_START,
    '## Accuracy measured by the TypeScript engine',
    '',
    '_Written by `scripts/model-card-figures.ts`; everything between the engine-figures markers is replaced on every run._',
    '',
    `- Export: ${ctx.export}`,
    `- Benchmark: ${ctx.bench}; ${ctx.samples}`,
    `- Machine: ${ctx.machine}`,
    `- Date: ${ctx.date}; wall time ${ctx.wall}`,
    `- Command: \`${ctx.command}\``,
    '',
    '### Unpruned, per question type (greedy, normalised exact match)',
    '',
    '| media | type | n | accuracy | majority rate (answer) | points above majority |',
    '|---|---|---:|---:|---:|---:|',
  ];
  for (const kind of KINDS) {
    const s = f.unpruned[kind];
    if (!s) continue;
    for (const [type, c] of Object.entries(s.byType)) lines.push(`| ${kind} | ${type} | ${c.n} | ${pct(c.accuracy)} | ${pct(c.majority)} (${c.majorityAnswer}) | ${pts(c.accuracy - c.majority)} |`);
    lines.push(`| **${kind}s** | all | ${s.n} | **${pct(s.accuracy)}** | | |`);
  }
  lines.push(`| **all** | | ${f.unpruned.all.n} | **${pct(f.unpruned.all.accuracy)}** | | |`, '');
  lines.push('### Pruning: the same samples with fewer visual tokens', '', '| setting | visual tokens kept (mean share) | images | videos | all | points vs unpruned |', '|---|---:|---:|---:|---:|---:|');
  const u = f.unpruned;
  lines.push(`| unpruned | 100% | ${u.image ? pct(u.image.accuracy) : '–'} | ${u.video ? pct(u.video.accuracy) : '–'} | ${pct(u.all.accuracy)} | |`);
  for (const [id, c] of Object.entries(f.pruned)) {
    lines.push(`| ${labels[id] ?? id} | ${pct(c.all!.retention)} | ${c.image ? pct(c.image.accuracy) : '–'} | ${c.video ? pct(c.video.accuracy) : '–'} | ${pct(c.all!.accuracy)} | ${pts(c.all!.accuracy - u.all.accuracy)} |`);
  }
  lines.push('', '### Issue-4 targets', '', '| target | measured | met |', '|---|---|---|');
  for (const t of targets) lines.push(`| ${t.target} | ${t.measured} | ${yes(t.met)} |`);
  lines.push(BLOCK_END);
  return lines.join('\n');
}

/** `card` with its block replaced by `block`, or `block` appended (after a blank line) when it has none. */
export function putBlock(card: string, block: string): string {
  const start = card.indexOf(BLOCK_START);
  const end = card.indexOf(BLOCK_END);
  if (start >= 0 && end > start) return card.slice(0, start) + block + card.slice(end + BLOCK_END.length);
  if (start >= 0 || end >= 0) throw new Error(`the model card has an unmatched ${start >= 0 ? BLOCK_START : BLOCK_END} marker; fix it by hand`);
  return `${card.replace(/\s*$/, '')}\n\n${block}\n`;
}
