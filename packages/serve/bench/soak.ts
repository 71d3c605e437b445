/**
 * `pnpm --filter @facekit/serve soak` (same as `pnpm bench:serve --soak`): the 100,000-request soak
 * on its own; see soak-run.ts for what it sends and checks.
 */
import { parseArgs } from 'node:util';
import { DEFAULT_MODELS } from '../src/options.js';
import { modelsDir } from '../src/server.js';
import { findDataFile, loadFaces } from './payloads.js';
import { runSoak } from './soak-run.js';
import { scriptArgs, userPath } from '@facekit/core/node';

const { values } = parseArgs({
  args: scriptArgs(),
  options: {
    models: { type: 'string' },
    data: { type: 'string' },
    requests: { type: 'string', default: '100000' },
    connections: { type: 'string', default: '32' },
    server: { type: 'string', default: '' },
  },
});
const { faces } = await loadFaces(64, findDataFile(values.data && userPath(values.data)));
await runSoak({
  serverArgs: [
    '--models',
    modelsDir(values.models ? userPath(values.models) : DEFAULT_MODELS),
    ...values.server.split(' ').filter(Boolean),
  ],
  faces,
  requests: Number(values.requests),
  connections: Number(values.connections),
});
