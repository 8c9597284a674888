/**
 * Answer accuracy: exact match after normalisation, in the spirit of the VQA evaluation script
 * (lower-case, punctuation and articles removed, number words as digits), with yes/no answers
 * reduced to the word so "Yes, there is." matches "yes". Pure functions, no I/O.
 */

const NUMBER_WORDS: Record<string, string> = {
  zero: '0', none: '0', one: '1', two: '2', three: '3', four: '4', five: '5', six: '6', seven: '7', eight: '8', nine: '9', ten: '10',
  eleven: '11', twelve: '12', thirteen: '13', fourteen: '14', fifteen: '15', sixteen: '16', seventeen: '17', eighteen: '18', nineteen: '19', twenty: '20',
};

const ARTICLES = new Set(['a', 'an', 'the']);

/**
 * The canonical form of an answer: lower-case; punctuation (except inside numbers like 3.5)
 * replaced by spaces; articles dropped (unless nothing else remains: "(A)" is a choice letter); number words ("three") as digits ("3"); whitespace
 * collapsed. An answer that starts with yes or no becomes just that word, since a
 * yes/no question is decided by it ("No, it is not." → "no"). Never throws; '' stays ''.
 */
export function normalizeAnswer(answer: string): string {
  const lower = answer.toLowerCase().normalize('NFKC');
  // Keep decimal points between digits; every other punctuation mark separates words.
  const cleaned = lower.replace(/(?<!\d)\.|\.(?!\d)/g, ' ').replace(/[^\p{L}\p{N}.\s]/gu, ' ');
  const all = cleaned.split(/\s+/).filter((w) => w);
  // Articles go only when a content word remains: a lone "A" is a choice letter, not an article.
  const content = all.filter((w) => !ARTICLES.has(w));
  const words = (content.length > 0 ? content : all).map((w) => NUMBER_WORDS[w] ?? w);
  if (words[0] === 'yes' || words[0] === 'no') return words[0];
  return words.join(' ');
}

/** Whether `predicted` matches `expected` after `normalizeAnswer` (an empty prediction never matches). */
export function isCorrect(predicted: string, expected: string): boolean {
  const p = normalizeAnswer(predicted);
  return p !== '' && p === normalizeAnswer(expected);
}

/** Correct / n for one group of samples. */
export interface AccuracyCell {
  correct: number;
  n: number;
  /** correct / n (0 when n = 0). */
  accuracy: number;
}

/** The accuracy cell of `correct` hits over `n` samples. */
export function accuracyCell(correct: number, n: number): AccuracyCell {
  return { correct, n, accuracy: n === 0 ? 0 : correct / n };
}

/**
 * The majority-class rate of a list of expected answers: the share of the most frequent
 * normalised answer (what always answering it would score). 0 for an empty list. It is the
 * floor a question type's accuracy must clear to show the model looked at the image.
 */
export function majorityRate(expected: readonly string[]): { answer: string; rate: number } {
  if (expected.length === 0) return { answer: '', rate: 0 };
  const counts = new Map<string, number>();
  for (const a of expected) {
    const k = normalizeAnswer(a);
    counts.set(k, (counts.get(k) ?? 0) + 1);
  }
  let best = '';
  let bestCount = -1;
  // Ties go to the alphabetically first answer, so the rate is deterministic whatever the order.
  for (const [k, c] of [...counts].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    if (c > bestCount) {
      best = k;
      bestCount = c;
    }
  }
  return { answer: best, rate: bestCount / expected.length };
}
