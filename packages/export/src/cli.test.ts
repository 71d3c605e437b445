/**
 * `pnpm export`'s flag checks, run as the real command (`tsx src/cli.ts`): each bad value is refused
 * with one line naming the flag and exit status 2, before any run is read or any file written.
 */
import { execFile } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { tempFolder } from '../../../tests/support/temp-folder.js';

const run = promisify(execFile);
const packageDir = fileURLToPath(new URL('..', import.meta.url));

async function refusal(args: string[]): Promise<{ code: number; stderr: string }> {
  const error = await run(process.execPath, ['--import', 'tsx', 'src/cli.ts', ...args], {
    cwd: packageDir,
  }).then(
    () => undefined,
    (e: { code: number; stderr: string }) => e,
  );
  expect(error, `pnpm export ${args.join(' ')} should fail`).toBeDefined();
  return { code: error!.code, stderr: error!.stderr.trim() };
}

describe('pnpm export flags', () => {
  it('refuses an --out that is a file, before any work', async () => {
    const file = join(await tempFolder('facekit-export-cli-'), 'models');
    await writeFile(file, 'not a folder');
    expect(await refusal(['--out', file])).toEqual({
      code: 2,
      stderr: `pnpm export: --out ${file}: ${file} is a file, not a folder`,
    });
  });

  it.each([
    [['--faces', 'x'], 'pnpm export: --faces must be a whole number ≥ 0, got "x"'],
    [['--task', 'height'], 'pnpm export: --task height: tasks are age, ethnicity, gender'],
    [['--run', '/nonexistent/run'], 'pnpm export: --run /nonexistent/run: no such folder (/nonexistent/run)'],
  ])('refuses %j with exit status 2', async (args, message) => {
    expect(await refusal(args)).toEqual({ code: 2, stderr: message });
  });
});
