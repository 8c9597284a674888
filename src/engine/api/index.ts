/**
 * The engine's implementation of the whole contract, composed from one handler group per
 * domain. The `Handlers` type makes a call without a handler a compile error here.
 */
import type { Handlers } from '../../shared/api';
import { createAppHandlers } from './app';
import { createMediaHandlers } from './media';

/** Builds every handler of the contract; state (imported media, loaded models) lives inside. */
export function createEngineHandlers(): Handlers {
  return {
    ...createAppHandlers(),
    ...createMediaHandlers(),
  };
}
