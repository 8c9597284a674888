/**
 * The engine's implementation of the whole contract, composed from one handler group per
 * domain. The `Handlers` type makes a call without a handler a compile error here.
 */
import type { Handlers } from '../../shared/api';
import { createAppHandlers } from './app';
import { createBenchHandlers } from './bench';
import { createMediaHandlers } from './media';
import { createMethodHandlers } from './methods';
import { createModelHandlers, createModelState } from './models';
import { createRunHandlers } from './runs';
import { createWarmHandlers } from './warm';
import { MediaStore } from '../media/store';

/** Builds every handler of the contract; state (imported media, loaded models) lives inside. */
export function createEngineHandlers(): Handlers {
  const media = new MediaStore(); // shared: runs read what the media handlers imported
  const models = createModelState();
  return {
    ...createAppHandlers(),
    ...createMediaHandlers(media),
    ...createModelHandlers(models),
    ...createRunHandlers(models, media),
    ...createWarmHandlers(models),
    ...createMethodHandlers(),
    ...createBenchHandlers(),
  };
}
