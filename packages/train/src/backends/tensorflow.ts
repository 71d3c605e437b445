/**
 * The `tensorflow` training backend: libtensorflow through @tensorflow/tfjs-node-gpu (CUDA) or
 * @tensorflow/tfjs-node (CPU). Their install downloads libtensorflow, so they are optional and not
 * dependencies of this package: the entry imports whichever is installed and says which were not.
 */
import * as tf from '@tensorflow/tfjs';
import { activateTfBackend } from './activate.js';
import { reasonOf, type BackendEntry } from './registry.js';

const PACKAGES = ['@tensorflow/tfjs-node-gpu', '@tensorflow/tfjs-node'] as const;

const isNotInstalled = (error: unknown): boolean =>
  (error as { code?: unknown }).code === 'ERR_MODULE_NOT_FOUND' ||
  (error as { code?: unknown }).code === 'MODULE_NOT_FOUND';

export const tensorflowBackend: BackendEntry = {
  name: 'tensorflow',
  priority: 4,
  async init() {
    const failures: string[] = [];
    for (const pkg of PACKAGES) {
      try {
        // A variable specifier keeps bundlers and tsc from requiring the optional package.
        const specifier: string = pkg;
        await import(specifier);
      } catch (error) {
        failures.push(
          `${pkg} ${isNotInstalled(error) ? 'is not installed' : `failed to load (${reasonOf(error)})`}`,
        );
        continue;
      }
      if (!tf.findBackendFactory('tensorflow')) {
        throw new Error(
          `${pkg} loaded but registered no "tensorflow" backend with this tfjs (a different @tensorflow/tfjs version?)`,
        );
      }
      await activateTfBackend('tensorflow');
      return;
    }
    throw new Error(failures.join('; '));
  },
};
