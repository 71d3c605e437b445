import { describe, expect, it } from 'vitest';
import { TASKS } from '@facekit/core';
import { selectTrainingBackend } from './backends/index.js';
import { BatchFeeder, taskTargets } from './data/batches.js';
import { DatasetBuilder } from './data/dataset.js';
import { predict, predictHeads } from './evaluate.js';
import { getPreset } from './presets.js';
import { headModel } from './train-network.js';

describe('predictHeads', () => {
  it("gives each head of a shared trunk exactly what that head's own network gives, in one pass", async () => {
    await selectTrainingBackend('wasm');
    const builder = new DatasetBuilder();
    let state = 7;
    for (let i = 0; i < 300; i++) {
      const pixels = builder.nextPixels();
      for (let p = 0; p < pixels.length; p++)
        pixels[p] = (state = (state * 1103515245 + 12345) % 2 ** 31) % 256;
      builder.commit(1 + (i % 90), i % 5, i % 2, i + 2);
    }
    const dataset = builder.build();
    const model = getPreset('shared-flat').buildShared!(TASKS, 'six', 3);
    const targets = TASKS.map((task) => taskTargets(dataset, task, 'six'));
    const feeder = BatchFeeder.forHead(dataset, targets[0]!, headModel(model, 0, 'age'), 256);
    // 300 rows: a full batch of 256 and a last one of 44.
    const rows = Uint32Array.from({ length: 300 }, (_, i) => i);
    const together = await predictHeads(model, feeder, rows, targets);
    for (const [h, task] of TASKS.entries()) {
      const alone = await predict(headModel(model, h, task), feeder, rows, targets[h]!);
      expect(Array.from(together[h]!.probabilities), task).toEqual(Array.from(alone.probabilities));
      expect(together[h]!.loss).toBe(alone.loss);
      expect(together[h]!.accuracy).toBe(alone.accuracy);
    }
    await expect(predictHeads(model, feeder, rows, targets.slice(1))).rejects.toThrow(
      '2 target sets for 3 outputs',
    );
    model.dispose();
  });
});
