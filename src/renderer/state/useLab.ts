/**
 * The single-run workflow in one place: the question and expected answer, the method choices, the
 * run, why Run is unavailable, and opening a sample (import its image, fill in its question and
 * answer). App lays the regions out; this hook is what they share.
 */
import { useCallback, useEffect, useReducer, useState } from 'react';
import type { BenchSampleSummary } from '../../shared/schemas/bench';
import { buildRunRequest } from '../lib/runRequest';
import { choicesReducer, initialChoices, type ChoicesAction, type ChoicesState } from './choicesState';
import type { MediaApi } from './useMedia';
import type { MethodsApi } from './useMethods';
import type { ModelsApi } from './useModels';
import { useRun, type RunApi } from './useRun';
import type { NoticesApi } from './notices';

/** The workflow state and actions App hands to the panels. */
export interface LabApi {
  question: string;
  expected: string;
  setQuestion(text: string): void;
  setExpected(text: string): void;
  choices: ChoicesState;
  dispatch(action: ChoicesAction): void;
  run: RunApi;
  /** Why Run is unavailable now, or null. */
  blocked: string | null;
  onRun(): void;
  openSample(sample: BenchSampleSummary): Promise<void>;
}

/** Why a run cannot start, for the line next to the Run button. */
export function blockedReason(media: Pick<MediaApi, 'selected'>, question: string, models: Pick<ModelsApi, 'models' | 'selectedId'>): string | null {
  if (!media.selected) return 'Import an image or open a sample first.';
  if (media.selected.kind !== 'image') return 'Runs take still images for now.';
  if (question.trim() === '') return 'Type a question.';
  if (models.models.length > 0 && models.selectedId === null) return 'No usable model: see the model list.';
  return null;
}

/** Composes the run workflow over the media, models and methods hooks. */
export function useLab(notices: NoticesApi, media: MediaApi, models: ModelsApi, methods: MethodsApi): LabApi {
  const [question, setQuestion] = useState('');
  const [expected, setExpected] = useState('');
  const [choices, dispatch] = useReducer(choicesReducer, initialChoices);
  const run = useRun(notices);
  const blocked = blockedReason(media, question, models);

  useEffect(() => {
    if (methods.methods) dispatch({ type: 'known', ids: methods.methods.map((m) => m.id) });
  }, [methods.methods]);

  // A run loads its model on demand: re-list afterwards so the picker shows it loaded.
  const { refresh: refreshModels } = models;
  useEffect(() => {
    if (run.status === 'done') void refreshModels();
  }, [run.status, refreshModels]);

  const onRun = useCallback(() => {
    if (blocked !== null || run.status === 'running' || !media.selected) return;
    const request = buildRunRequest({
      mediaId: media.selected.id,
      question,
      expectedAnswer: expected,
      ...(models.selectedId ? { modelId: models.selectedId } : {}),
      methods: choices.chosen,
      params: choices.params,
      retention: choices.retention,
    });
    void run.start(request);
  }, [blocked, run, media.selected, question, expected, models.selectedId, choices]);

  const { importPath } = media;
  const openSample = useCallback(
    async (sample: BenchSampleSummary) => {
      const item = await importPath(sample.path, `${sample.id}.png`);
      if (!item) return;
      setQuestion(sample.question);
      setExpected(sample.answer);
    },
    [importPath],
  );

  return { question, expected, setQuestion, setExpected, choices, dispatch, run, blocked, onRun, openSample };
}
