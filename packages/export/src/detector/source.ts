/**
 * Where the detector's weights come from: BlazeFace (MediaPipe's full-range "back" model, Apache-2.0)
 * as a tfjs graph model inside the npm package @vladmandic/human (MIT), pinned to one version so a
 * conversion is reproducible. The package's `exports` map does not expose package.json or models/,
 * so its folder is found from the main entry Node resolves, walking up to the package.json that
 * names it.
 */
import { existsSync, readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { sha256OfBytes } from '@facekit/core/node';
import type { GraphModelJson } from './graph-model.js';

export const SOURCE_PACKAGE = '@vladmandic/human';
export const SOURCE_VERSION = '3.3.6';
export const SOURCE_FILES = ['models/blazeface.json', 'models/blazeface.bin'] as const;
export const LICENCE = [
  'BlazeFace weights © Google, Apache-2.0, via @vladmandic/human (MIT)',
  'Model: MediaPipe BlazeFace full-range ("back") face detector, 256×256 input',
] as const;

export interface DetectorSource {
  readonly packageDir: string;
  readonly version: string;
  readonly json: GraphModelJson;
  /** The .bin files of the weights manifest, concatenated in manifest order. */
  readonly weightData: Uint8Array;
  /** sha256 (hex) of each source file, by its path inside the package. */
  readonly sha256: Readonly<Record<string, string>>;
}

/** The installed package's folder (throws, saying how to install it, when it is missing). */
export function sourcePackageDir(): string {
  const require = createRequire(import.meta.url);
  let entry: string;
  try {
    entry = require.resolve(SOURCE_PACKAGE);
  } catch (error) {
    throw new Error(
      `${SOURCE_PACKAGE} is not installed (pnpm install; it is a devDependency of @facekit/export)`,
      {
        cause: error,
      },
    );
  }
  for (let dir = dirname(entry); dir !== dirname(dir); dir = dirname(dir)) {
    const manifest = join(dir, 'package.json');
    if (
      existsSync(manifest) &&
      (JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string }).name === SOURCE_PACKAGE
    )
      return dir;
  }
  throw new Error(`no package.json naming ${SOURCE_PACKAGE} above ${entry}`);
}

/** Reads the model files; refuses another version than the pinned one (other weights, other bytes). */
export async function readDetectorSource(packageDir = sourcePackageDir()): Promise<DetectorSource> {
  const { version } = JSON.parse(await readFile(join(packageDir, 'package.json'), 'utf8')) as {
    version: string;
  };
  if (version !== SOURCE_VERSION)
    throw new Error(
      `${SOURCE_PACKAGE} ${version} is installed; the detector is converted from ${SOURCE_VERSION}`,
    );
  const [jsonBytes, bin] = await Promise.all(SOURCE_FILES.map((f) => readFile(join(packageDir, f))));
  const json = JSON.parse(jsonBytes!.toString('utf8')) as GraphModelJson;
  const paths = json.weightsManifest.flatMap((group) => group.paths);
  if (paths.length !== 1 || paths[0] !== 'blazeface.bin')
    throw new Error(`blazeface.json names weight files [${paths.join(', ')}] (expected blazeface.bin)`);
  return {
    packageDir,
    version,
    json,
    weightData: new Uint8Array(bin!),
    sha256: { [SOURCE_FILES[0]]: sha256OfBytes(jsonBytes!), [SOURCE_FILES[1]]: sha256OfBytes(bin!) },
  };
}
