/** Notices: errors and state changes the user should see, until dismissed. */
import { useCallback, useMemo, useState } from 'react';
import { toApiError } from '../../shared/errors';

/** One notice as shown: what happened, and what to do about it. */
export interface Notice {
  id: number;
  tone: 'error' | 'warning' | 'info';
  message: string;
  hint?: string;
}

/** The notice list and the ways to change it. */
export interface NoticesApi {
  notices: Notice[];
  push(notice: Omit<Notice, 'id'>): void;
  /** Shows an error thrown by a call (ApiError or anything else) with its hint. */
  pushError(error: unknown): void;
  dismiss(id: number): void;
}

let nextId = 1;

/** Holds notices in component state; newest last. */
export function useNotices(): NoticesApi {
  const [notices, setNotices] = useState<Notice[]>([]);
  const push = useCallback((notice: Omit<Notice, 'id'>) => setNotices((list) => [...list, { ...notice, id: nextId++ }]), []);
  const pushError = useCallback(
    (error: unknown) => {
      const e = toApiError(error);
      push({ tone: e.code === 'unsupported' ? 'warning' : 'error', message: e.message, hint: e.hint });
    },
    [push],
  );
  const dismiss = useCallback((id: number) => setNotices((list) => list.filter((n) => n.id !== id)), []);
  return useMemo(() => ({ notices, push, pushError, dismiss }), [notices, push, pushError, dismiss]);
}
