/**
 * Every command a user runs from the root (package.json scripts, save the dev-only ones) answers
 * `--help` with its usage and exit status 0, run exactly as a user types it: `pnpm <script> --help`.
 */
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { HELP as SERVE_HELP } from '@facekit/serve';
import { DEFAULT_PRESET, isAblation, PRESETS } from '@facekit/train';
import { REPO_ROOT } from './support/paths.js';

const run = promisify(execFile);
/** Scripts that are tools of the repository rather than commands of the toolkit. */
const NOT_COMMANDS = new Set(['test', 'typecheck', 'lint', 'format', 'format:check']);

const scripts = JSON.parse(await readFile(join(REPO_ROOT, 'package.json'), 'utf8')) as {
  scripts: Record<string, string>;
};
const commands = Object.keys(scripts.scripts).filter((name) => !NOT_COMMANDS.has(name));

describe('pnpm <command> --help', () => {
  it('names the commands it checks', () => {
    expect(commands).toEqual(expect.arrayContaining(['train', 'export', 'serve', 'parity', 'gpu:check']));
  });

  it.each(commands)('%s prints its usage and exits 0', { timeout: 120_000 }, async (name) => {
    const { stdout } = await run('pnpm', [name, '--help'], { cwd: REPO_ROOT, timeout: 110_000 });
    expect(stdout).toMatch(new RegExp(`^Usage: pnpm ${name}\\b`, 'm'));
  });

  it(
    'train --list-presets names every preset with its description, the default first and the ablation last',
    { timeout: 120_000 },
    async () => {
      const { stdout } = await run('pnpm', ['train', '--list-presets'], { cwd: REPO_ROOT, timeout: 110_000 });
      const [offered, ablation] = stdout.split(/^Measured and not chosen .*:$/m).map((part) =>
        part
          .split('\n')
          .filter((line) => /^\S/.test(line) && !line.endsWith(':'))
          .map((line) => line.replace(/ \(default\)$/, '')),
      );
      expect(offered![0]).toBe(DEFAULT_PRESET);
      expect(stdout).toMatch(new RegExp(`^${DEFAULT_PRESET} \\(default\\)$`, 'm'));
      const all = Object.values(PRESETS);
      expect(offered).toEqual([
        DEFAULT_PRESET,
        ...all.filter((p) => !isAblation(p) && p.name !== DEFAULT_PRESET).map((p) => p.name),
      ]);
      expect(ablation).toEqual(all.filter(isAblation).map((p) => p.name));
      for (const preset of Object.values(PRESETS))
        expect(stdout.replace(/\s+/g, ' ')).toContain(preset.description);
    },
  );

  it("serve's README lists its flags as --help prints them", async () => {
    const readme = await readFile(join(REPO_ROOT, 'packages/serve/README.md'), 'utf8');
    const block = /## Flags\n[\s\S]*?\n```\n([\s\S]*?)```/.exec(readme)?.[1];
    const options = SERVE_HELP.split('Options:\n')[1]!.split('\n\n')[0]!;
    expect(block).toBe(`${options.replace(/^ {2}/gm, '').trimEnd()}\n`);
  });
});
