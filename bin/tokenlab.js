#!/usr/bin/env node
// The CLI runs the TypeScript sources through tsx, so `npx tokenlab` works on a fresh
// checkout without a build step.
import { register } from 'tsx/esm/api';

register();
await import('../src/cli/index.ts');
