/**
 * `vite build` of the web demo into a folder, with FACEKIT_MODELS pointing at the models to ship in
 * it: the end-to-end test and the demo's load benchmark open that static build, as a user's server
 * would serve it.
 */
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { WEB_DEMO } from './paths.js';

/** The web demo's own Vite command line script (`vite build`, `vite preview`), run with `node`. */
export function demoVite(): string {
  return join(
    dirname(createRequire(join(WEB_DEMO, 'package.json')).resolve('vite/package.json')),
    'bin',
    'vite.js',
  );
}

export async function buildDemo(outDir: string, models: string): Promise<void> {
  const child = spawn(
    process.execPath,
    [demoVite(), 'build', '--outDir', outDir, '--emptyOutDir', '--logLevel', 'warn'],
    {
      cwd: WEB_DEMO,
      env: { ...process.env, FACEKIT_MODELS: models },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let output = '';
  child.stdout.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr.on('data', (d: Buffer) => (output += d.toString()));
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  if (code !== 0) throw new Error(`vite build failed (${code}):\n${output}`);
}

/** The origin a Vite server (`pnpm demo`, `vite preview`) says it listens on, once its output holds its `Local:` line. */
export function viteOrigin(output: string): string | undefined {
  return /Local:\s+(http:\/\/127\.0\.0\.1:\d+)\//.exec(output.replace(/\x1b\[[0-9;]*m/g, ''))?.[1];
}
