#!/usr/bin/env node
// `portico` as a command (`npx portico dev|plan|status`): the TypeScript CLI run through tsx, which
// is resolved from this package, so it works from any folder.
import { register } from 'tsx/esm/api';

register();
await import('../cli/portico.ts');
