/**
 * The methods region: model, question, retention, the methods with their parameters, and the run
 * controls with progress. It holds no state of its own; App passes the hooks' APIs down.
 */
import type { MethodSummary } from '../../../shared/schemas/methods';
import type { ChoicesAction, ChoicesState } from '../../state/choicesState';
import type { ModelsApi } from '../../state/useModels';
import type { RunApi } from '../../state/useRun';
import { MethodList } from './MethodList';
import { ModelPicker } from './ModelPicker';
import { QuestionBox } from './QuestionBox';
import { RetentionControl } from './RetentionControl';
import { RunControls } from './RunControls';
import { RunProgress } from './RunProgress';

export interface MethodsPanelProps {
  models: ModelsApi;
  methods: MethodSummary[] | null;
  choices: ChoicesState;
  dispatch(action: ChoicesAction): void;
  question: string;
  expected: string;
  onQuestion(text: string): void;
  onExpected(text: string): void;
  run: RunApi;
  blocked: string | null;
  onRun(): void;
}

/** The whole panel. */
export function MethodsPanel(props: MethodsPanelProps) {
  const { models, run, choices } = props;
  const running = run.status === 'running';
  const digest = models.models.find((m) => m.id === models.selectedId)?.digest;
  return (
    <div className="methods-panel">
      <ModelPicker models={models} disabled={running} />
      <QuestionBox question={props.question} expected={props.expected} onQuestion={props.onQuestion} onExpected={props.onExpected} />
      <RunControls running={running} blocked={props.blocked} onRun={props.onRun} onCancel={run.cancel} />
      <RunProgress run={run} />
      <RetentionControl value={choices.retention} onChange={(value) => props.dispatch({ type: 'retention', value })} visualTokens={digest?.visualTokensPerImage} disabled={running} />
      <MethodList methods={props.methods} choices={choices} dispatch={props.dispatch} disabled={running} />
    </div>
  );
}
