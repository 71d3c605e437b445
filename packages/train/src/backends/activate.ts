/**
 * The one step every tfjs training backend ends its init with: make tfjs switch to it, and turn
 * tfjs's quiet `false` (it only console.warns the factory's error) into an error with a reason.
 */
import * as tf from '@tensorflow/tfjs';

export async function activateTfBackend(name: string): Promise<void> {
  if (!tf.findBackendFactory(name)) throw new Error(`tfjs has no "${name}" backend registered`);
  if (!(await tf.setBackend(name))) {
    throw new Error(
      `tfjs could not initialise its "${name}" backend (tf.setBackend returned false; see the warning above)`,
    );
  }
}
