/**
 * The python3 the Python example's suites run (examples/python/classify.py): Pillow and numpy only,
 * as Debian's python3-pil and python3-numpy give them (CI has no PyPI, so no onnxruntime); `missing`
 * says why the suites skip when there is none.
 */
import { execFile, execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { RgbaImage } from '@facekit/core';
import { seededRandom } from '@facekit/train';
import { REPO_ROOT } from './paths.js';

/** The first python3 that imports Pillow and numpy: $PYTHON if set, else the one on PATH, then Debian's. */
const candidates = process.env.PYTHON ? [process.env.PYTHON] : ['python3', '/usr/bin/python3'];
export const python = candidates.find((exe) => {
  try {
    execFileSync(exe, ['-c', 'import PIL, numpy'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
});
export const missing = python
  ? null
  : `no python3 with Pillow and numpy (tried ${candidates.join(', ')}): ` +
    'apt-get install -y python3-pil python3-numpy, or set PYTHON to a python that has them';

export const PYTHON_EXAMPLE = join(REPO_ROOT, 'examples', 'python');

/**
 * Runs `driver` (Python source) with the example's folder as sys.argv[1], `input` as JSON on its
 * standard input, and returns its standard output parsed as JSON.
 */
export async function runDriver<T>(driver: string, input: unknown): Promise<T> {
  if (!python) throw new Error(missing!);
  const child = promisify(execFile)(python, ['-c', driver, PYTHON_EXAMPLE], { maxBuffer: 64 * 1024 * 1024 });
  child.child.stdin!.end(JSON.stringify(input));
  return JSON.parse((await child).stdout) as T;
}

/** A photo for the suites: smooth colour gradients with noise (differing with `seed`), alpha from `alpha(x, y)`. */
export function photo(
  width: number,
  height: number,
  seed: number,
  alpha = (_x: number, _y: number) => 255,
): RgbaImage {
  const next = seededRandom(seed);
  const data = new Uint8Array(width * height * 4);
  for (let y = 0; y < height; y++)
    for (let x = 0; x < width; x++) {
      const noise = () => Math.floor(next() * 60) - 30;
      const r = (x * 255) / width + noise();
      const g = (y * 255) / height + noise();
      const b = ((x + y) * 128) / (width + height) + 60 + noise();
      data.set(
        [r, g, b].map((v) => Math.max(0, Math.min(255, Math.round(v)))).concat(alpha(x, y)),
        (y * width + x) * 4,
      );
    }
  return { width, height, data };
}
