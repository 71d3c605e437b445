import { describe, expect, it } from 'vitest';
import { withoutPaths } from './state.js';

describe('withoutPaths', () => {
  it('cuts absolute paths to their last name and leaves URLs and words alone', () => {
    expect(
      withoutPaths(
        'CUDA provider libraries are not installed (/work/app/node_modules/ort/bin/libcuda.so is missing; fetch them: node /work/app/script/install.js)',
      ),
    ).toBe(
      'CUDA provider libraries are not installed (…/libcuda.so is missing; fetch them: node …/install.js)',
    );
    expect(withoutPaths('model "/srv/models/age/model.onnx": corrupt')).toBe('model "…/model.onnx": corrupt');
    expect(withoutPaths('C:\\Program Files\\facekit\\models\\model.onnx missing')).toBe(
      '…\\model.onnx missing',
    );
    const kept = 'see https://onnxruntime.ai/docs/build/eps.html, and/or 1/2 of /tmp';
    expect(withoutPaths(kept)).toBe(kept);
  });
});
