import { describe, expect, it } from 'vitest';
import { accuracyCell, isCorrect, majorityRate, normalizeAnswer } from '../../../src/engine/metrics/accuracy';

describe('normalizeAnswer', () => {
  it('lower-cases, drops punctuation and articles, collapses spaces', () => {
    expect(normalizeAnswer('  The Red  Circle! ')).toBe('red circle');
    expect(normalizeAnswer('A star.')).toBe('star');
    expect(normalizeAnswer('left-of')).toBe('left of');
  });
  it('maps number words to digits and keeps decimals', () => {
    expect(normalizeAnswer('Three')).toBe('3');
    expect(normalizeAnswer('3')).toBe('3');
    expect(normalizeAnswer('zero')).toBe('0');
    expect(normalizeAnswer('3.5 cm.')).toBe('3.5 cm');
  });
  it('keeps a lone choice letter that looks like an article', () => {
    expect(normalizeAnswer('(A)')).toBe('a');
    expect(normalizeAnswer('A.')).toBe('a');
    expect(isCorrect('A', '(a)')).toBe(true);
    expect(isCorrect('A', 'B')).toBe(false);
  });
  it('reduces yes/no answers to the deciding word', () => {
    expect(normalizeAnswer('Yes, there is.')).toBe('yes');
    expect(normalizeAnswer('no it is not')).toBe('no');
    expect(normalizeAnswer('not sure')).toBe('not sure');
  });
});

describe('isCorrect', () => {
  it('matches after normalisation and never on an empty prediction', () => {
    expect(isCorrect('two', '2')).toBe(true);
    expect(isCorrect('The square', 'square')).toBe(true);
    expect(isCorrect('circle', 'square')).toBe(false);
    expect(isCorrect('', '')).toBe(false);
    expect(isCorrect('...', 'a')).toBe(false);
  });
});

describe('majorityRate and accuracyCell', () => {
  it('counts normalised answers; ties go to the alphabetically first', () => {
    expect(majorityRate(['yes', 'Yes.', 'no', 'two'])).toEqual({ answer: 'yes', rate: 0.5 });
    expect(majorityRate(['2', 'two', 'three', '3'])).toEqual({ answer: '2', rate: 0.5 });
    expect(majorityRate([])).toEqual({ answer: '', rate: 0 });
  });
  it('accuracy is correct / n, 0 for an empty group', () => {
    expect(accuracyCell(3, 4)).toEqual({ correct: 3, n: 4, accuracy: 0.75 });
    expect(accuracyCell(0, 0).accuracy).toBe(0);
  });
});
