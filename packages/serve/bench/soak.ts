/**
 * `pnpm --filter @facekit/serve soak` (same as `pnpm bench:serve --soak`): the 100,000-request soak
 * on its own; see soak-run.ts for what it sends and checks.
 */
import { DEFAULT_MODELS } from '../src/options.js';
import { loadFaces } from './payloads.js';
import { runSoak } from './soak-run.js';
import {
  dataFileFlag,
  modelsFolder,
  parseCommandArgs,
  runCommand,
  userPath,
  wholeNumberFlag,
} from '@facekit/core/node';

const HELP = `Usage: pnpm --filter @facekit/serve soak [options]   (or: pnpm bench:serve --soak)

Starts the server as its own process and sends it mixed good and bad requests, checking that every kind
of bad request was answered with its code (counted in the server's metrics, not answer by answer), that
good answers stay the same, that it keeps serving and that its memory stays flat (soak-run.ts).

Options:
  --models <dir>       models folder (default: models/)
  --data <csv>         faces to send (default: the dataset CSV, else generated faces)
  --requests <n>       requests to send (default: 100000)
  --connections <n>    concurrent connections (default: 32)
  --server=<flags>     extra pnpm serve flags, e.g. --server="--max-batch 64" (with "=": a value
                       that starts with -- is otherwise taken for a flag)
  -h, --help           this help
`;

async function main(): Promise<void> {
  const { values } = parseCommandArgs(HELP, {
    options: {
      models: { type: 'string' },
      data: { type: 'string' },
      requests: { type: 'string', default: '100000' },
      connections: { type: 'string', default: '32' },
      server: { type: 'string' },
    },
  });
  const { faces } = await loadFaces(64, dataFileFlag(HELP, values.data));
  await runSoak({
    serverArgs: [
      '--models',
      modelsFolder(values.models ? userPath(values.models) : DEFAULT_MODELS),
      ...(values.server ?? '').split(' ').filter(Boolean),
    ],
    faces,
    requests: wholeNumberFlag(HELP, 'requests', values.requests, 1),
    connections: wholeNumberFlag(HELP, 'connections', values.connections, 1),
  });
}

runCommand(HELP, main);
