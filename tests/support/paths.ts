/**
 * Where the cross-package suites find things: the repository root, the shipped models, the shared
 * dataset (optional: suites fall back to generated faces) and tests/artifacts, the git-ignored folder
 * for reports and screenshots people look at after a run.
 */
import { mkdir } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defaultDataFile } from '@facekit/core/node';

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const SHIPPED_MODELS = join(REPO_ROOT, 'models');
export const ARTIFACTS = join(REPO_ROOT, 'tests', 'artifacts');
export const WEB_DEMO = join(REPO_ROOT, 'packages', 'web-demo');

/** The dataset CSV the commands would train on when not told (FACEKIT_DATA, data/, ../shared); null when absent. */
export function dataFile(): string | null {
  return defaultDataFile() ?? null;
}

export async function artifactsDir(): Promise<string> {
  await mkdir(ARTIFACTS, { recursive: true });
  return ARTIFACTS;
}
