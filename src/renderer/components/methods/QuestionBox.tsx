/**
 * The question and, optionally, the expected answer (which makes each result say whether it is
 * correct). Ctrl/Cmd+Enter runs from anywhere in the window (state/useRunShortcut).
 */
import { useId } from 'react';

export interface QuestionBoxProps {
  question: string;
  expected: string;
  onQuestion(text: string): void;
  onExpected(text: string): void;
}

/** Two labelled fields; the question carries `data-testid="question"`. */
export function QuestionBox({ question, expected, onQuestion, onExpected }: QuestionBoxProps) {
  const id = useId();
  return (
    <div className="question-box">
      <label htmlFor={`${id}-q`}>Question</label>
      <textarea id={`${id}-q`} data-testid="question" rows={2} value={question} placeholder="e.g. what color is the circle?" onChange={(e) => onQuestion(e.currentTarget.value)} />
      <label htmlFor={`${id}-a`}>Expected answer (optional)</label>
      <input id={`${id}-a`} data-testid="expected" value={expected} placeholder="for the correctness badge" onChange={(e) => onExpected(e.currentTarget.value)} />
    </div>
  );
}
