/**
 * onnxruntime-node's telemetry is off in the toolkit's own processes: `pnpm classify` on a photo, the
 * variable unset, leaves none of the runtime's telemetry files (`.ses`, `mat-debug-<pid>.log`) in its
 * temp folder; the same command with ORT_DISABLE_TELEMETRY=0, a user's opt-in, does leave them — which
 * also shows that the check would see the telemetry were it on.
 */
import { execFile } from 'node:child_process';
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { tempFolder } from '../../../tests/support/temp-folder.js';

const packageDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
/** The variables by which onnxruntime 1.30 knows a CI machine, where it sends no telemetry (its library's strings). */
const CI_VARIABLES = ['CI', 'GITHUB_ACTIONS', 'GITLAB_CI', 'CIRCLECI', 'TRAVIS', 'JENKINS_URL', 'TF_BUILD'];
const photo = path.resolve(packageDir, '../web-demo/public/samples/black-female-47.png');

/** `pnpm classify <photo>` with its own temp folder; what the runtime left there. */
async function telemetryFilesOf(optIn: string | undefined): Promise<string[]> {
  const tmp = await tempFolder('facekit-telemetry-');
  const env: NodeJS.ProcessEnv = { ...process.env, TMPDIR: tmp };
  // onnxruntime itself stays quiet on a CI machine (.ci/run sets CI): the check is of a user's machine.
  for (const name of ['ORT_DISABLE_TELEMETRY', ...CI_VARIABLES]) delete env[name];
  if (optIn !== undefined) env.ORT_DISABLE_TELEMETRY = optIn;
  await new Promise<void>((resolve, reject) =>
    execFile(
      process.execPath,
      ['--import', 'tsx', 'src/classify-cli.ts', photo],
      { cwd: packageDir, env },
      (error, _stdout, stderr) => (error ? reject(new Error(stderr)) : resolve()),
    ),
  );
  return (await readdir(tmp)).filter((name) => name === '.ses' || name.startsWith('mat-debug-')).sort();
}

describe("onnxruntime-node's telemetry", () => {
  it('is off in pnpm classify, and on only when the user turns it on', { timeout: 90_000 }, async () => {
    expect(await telemetryFilesOf(undefined)).toEqual([]);
    expect(await telemetryFilesOf('0')).toEqual(['.ses', expect.stringMatching(/^mat-debug-\d+\.log$/)]);
  });
});
