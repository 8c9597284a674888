/**
 * Fidelity of a compressed run to the unpruned one. Needs no labels, so it works on any image:
 * same answer (normalised), first-answer-token top-1 agreement, KL(unpruned ‖ pruned) over the
 * first answer token's distribution, and the change in log-probability of the unpruned model's
 * first answer token. KL and log-probabilities are computed from logits with a float64
 * log-softmax, so tiny probabilities do not underflow into infinities.
 *
 * Why the first token only: the runtime decodes greedily and keeps the full distribution only
 * for the first answer token; the benchmark's answers are one word, so it decides the answer.
 */
import { normalizeAnswer } from './accuracy';

/** What fidelity needs from one run. */
export interface FidelityInput {
  answer: string;
  /** The first answer token's logits over the vocabulary. */
  firstLogits: ArrayLike<number>;
}

/** Fidelity of one run to a reference run. */
export interface Fidelity {
  /** Normalised answers are equal. */
  sameAnswer: boolean;
  /** The argmax of the two first-token distributions is the same token. */
  top1Agree: boolean;
  /** KL(reference ‖ run) over the first answer token, in nats (≥ 0). */
  klFirstToken: number;
  /** log p_run(t) − log p_reference(t), t = the reference's top first token (≤ 0 when the run is less sure). */
  logProbChange: number;
}

/** log-softmax in float64. Throws on an empty vector or a non-finite logit (a broken run, not a value to average). */
export function logSoftmax(logits: ArrayLike<number>): Float64Array {
  const n = logits.length;
  if (n === 0) throw new Error('logSoftmax: empty logits');
  let max = -Infinity;
  for (let i = 0; i < n; i++) {
    const x = logits[i]!;
    if (!Number.isFinite(x)) throw new Error(`logSoftmax: logit ${i} is ${x}`);
    if (x > max) max = x;
  }
  let sum = 0;
  for (let i = 0; i < n; i++) sum += Math.exp(logits[i]! - max);
  const lse = max + Math.log(sum);
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = logits[i]! - lse;
  return out;
}

/** Index of the largest value (the first one on ties). */
export function argmaxOf(values: ArrayLike<number>): number {
  let best = 0;
  for (let i = 1; i < values.length; i++) if (values[i]! > values[best]!) best = i;
  return best;
}

/**
 * KL(P ‖ Q) = Σ p·(log p − log q) from the two logit vectors, in nats. Zero for identical
 * distributions (and for logits that differ by a constant); ≥ 0 always (rounding clamped).
 * Throws when the vectors differ in length (different vocabularies cannot be compared).
 */
export function klFromLogits(p: ArrayLike<number>, q: ArrayLike<number>): number {
  if (p.length !== q.length) throw new Error(`klFromLogits: vocabularies differ (${p.length} vs ${q.length} logits)`);
  const lp = logSoftmax(p);
  const lq = logSoftmax(q);
  let kl = 0;
  for (let i = 0; i < lp.length; i++) {
    const pi = Math.exp(lp[i]!);
    if (pi > 0) kl += pi * (lp[i]! - lq[i]!);
  }
  return Math.max(0, kl);
}

/** Fidelity of `run` to `reference` (the unpruned run of the same question). */
export function fidelity(reference: FidelityInput, run: FidelityInput): Fidelity {
  const klFirstToken = klFromLogits(reference.firstLogits, run.firstLogits); // checks the lengths first
  const refTop = argmaxOf(reference.firstLogits);
  const lp = logSoftmax(reference.firstLogits);
  const lq = logSoftmax(run.firstLogits);
  return {
    sameAnswer: normalizeAnswer(reference.answer) === normalizeAnswer(run.answer),
    top1Agree: refTop === argmaxOf(run.firstLogits),
    klFirstToken,
    logProbChange: lq[refTop]! - lp[refTop]!,
  };
}
