/**
 * `pnpm exec tsx bench/backend-check.ts`: the gradient check of gradients.test.ts as a script, for
 * machines where the test runner is not at hand (a GPU box reached with a bundle): every training
 * backend that initialises is compared with `cpu` on the small conv net of gradient-check.ts, and the
 * relative error of the loss and of each gradient is printed. Exits 1 if any exceeds 1e-4, or if
 * wasm (which needs nothing but Node) does not initialise.
 */
import {
  GRAD_NET_SHAPES,
  gradNetGradients,
  relativeError,
  seededValues,
  type GradNetName,
} from '../src/backends/gradient-check.js';
import { listTrainingBackends, selectTrainingBackend } from '../src/backends/index.js';
import { parseCommandArgs } from '@facekit/core/node';

parseCommandArgs(
  `Usage: pnpm exec tsx packages/train/bench/backend-check.ts

Compares the gradients of every training backend that initialises here with cpu's, on a small conv
net; exits 1 if any relative error exceeds 1e-4, or if wasm does not initialise.
`,
  { options: {} },
);

const TOLERANCE = 1e-4;
const values = seededValues(20240607);
const names = Object.keys(GRAD_NET_SHAPES) as GradNetName[];

const statuses = await listTrainingBackends();
for (const s of statuses)
  console.log(`${s.name}: ${s.available ? 'available' : `unavailable (${s.reason})`}`);
// wasm needs nothing but Node: if it does not initialise, the setup is broken, not the machine.
let failed = !statuses.some((s) => s.name === 'wasm' && s.available);
await selectTrainingBackend('cpu');
const reference = await gradNetGradients(values);
for (const { name } of statuses.filter((s) => s.available && s.name !== 'cpu')) {
  await selectTrainingBackend(name);
  const result = await gradNetGradients(values);
  const errors = names.map((n) => relativeError(result.grads[n], reference.grads[n]));
  const lossError = Math.abs(result.loss - reference.loss) / reference.loss;
  const worst = Math.max(lossError, ...errors);
  failed ||= !(worst <= TOLERANCE);
  console.log(
    `${name} vs cpu: loss ${lossError.toExponential(2)}, ${names.map((n, i) => `${n} ${errors[i]!.toExponential(2)}`).join(', ')}`,
  );
  console.log(
    `  worst ${worst.toExponential(2)} ${worst <= TOLERANCE ? '≤' : '>'} ${TOLERANCE}; kernels: ${result.kernels.join(' ')}`,
  );
}
process.exit(failed ? 1 : 0);
