import { afterEach, describe, expect, it, vi } from 'vitest';
import { tempFolder } from '../../../../tests/support/temp-folder.js';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { InvalidCsvRowError } from '../errors.js';
import {
  checkFlags,
  existingFileFlag,
  failureLine,
  fileToWrite,
  folderToWrite,
  fraction,
  parseCommandArgs,
  pathForUser,
  scriptArgs,
  userPath,
  wholeNumber,
  wholeNumberFlag,
} from './script-args.js';

describe('failureLine', () => {
  it("ends a command with one line, the toolkit's errors with their code", () => {
    const help = 'Usage: pnpm train [options]\n  --data <csv>\n';
    expect(failureLine(help, new InvalidCsvRowError('faces.csv', 5, 'age must be 1–120, got 0'))).toBe(
      'pnpm train: [INVALID_CSV_ROW] faces.csv:5: age must be 1–120, got 0',
    );
    expect(
      failureLine(help, new InvalidCsvRowError('faces.csv', 5, 'age must be 1–120, got 0'), {
        INVALID_CSV_ROW: '--skip-invalid skips it',
      }),
    ).toBe('pnpm train: [INVALID_CSV_ROW] faces.csv:5: age must be 1–120, got 0 (--skip-invalid skips it)');
    expect(failureLine(help, new Error('disk full'), { INVALID_CSV_ROW: 'not this' })).toBe(
      'pnpm train: disk full',
    );
    expect(failureLine(help, 'thrown text')).toBe('pnpm train: thrown text');
  });
});

describe('scriptArgs', () => {
  it('drops node, the script and the -- a package manager passes through', () => {
    const argv = ['/usr/bin/node', 'src/cli.ts', '--', '--epochs', '3', '--resume', 'latest'];
    expect(scriptArgs(argv)).toEqual(['--epochs', '3', '--resume', 'latest']);
    // What parseArgs would refuse without it: after `--`, flags are positional arguments.
    const options = { epochs: { type: 'string' }, resume: { type: 'string' } } as const;
    expect(() => parseArgs({ args: argv.slice(2), options })).toThrow(/Unexpected argument '--epochs'/);
    expect(parseArgs({ args: scriptArgs(argv), options }).values).toEqual({ epochs: '3', resume: 'latest' });
  });
});

describe('parseCommandArgs', () => {
  afterEach(() => vi.restoreAllMocks());
  const options = { epochs: { type: 'string', default: '3' }, fast: { type: 'boolean' } } as const;

  it("parses a command's options strictly, positionals only where allowed", () => {
    const { values, positionals } = parseCommandArgs('usage', {
      args: ['--fast', 'runs/a'],
      options,
      allowPositionals: true,
    });
    expect(values).toEqual({ epochs: '3', fast: true });
    expect(positionals).toEqual(['runs/a']);
  });

  it('says an unknown option or stray argument in one line on stderr and exits 2, without a stack', () => {
    const write = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    vi.spyOn(process, 'exit').mockImplementation((code) => {
      throw new Error(`exit ${code}`);
    });
    const help = 'Usage: pnpm x [options]\n';
    expect(() => parseCommandArgs(help, { args: ['--epoch', '4'], options })).toThrow('exit 2');
    expect(() => parseCommandArgs(help, { args: ['runs/a'], options })).toThrow('exit 2');
    expect(() => parseCommandArgs(help, { args: ['--epochs', '-1'], options })).toThrow('exit 2');
    // Where positionals are taken, not parseArgs' advice to pass '--', which scriptArgs drops.
    expect(() => parseCommandArgs(help, { args: ['-x.png'], options, allowPositionals: true })).toThrow(
      'exit 2',
    );
    // `--out "$DIR"` with DIR unset: not the default folder (an export once wrote over models/ so).
    expect(() => parseCommandArgs(help, { args: ['--epochs', ''], options })).toThrow('exit 2');
    // An option whose default is '' is not refused for it (bench:serve's --server once was).
    const extra = { server: { type: 'string', default: '' } } as const;
    expect(parseCommandArgs(help, { args: [], options: extra }).values.server).toBe('');
    expect(write.mock.calls.map(([line]) => String(line))).toEqual([
      expect.stringMatching(/^pnpm x: Unknown option '--epoch'.* \(pnpm x --help lists the options\)\n$/),
      expect.stringMatching(
        /^pnpm x: Unexpected argument 'runs\/a'.* \(pnpm x --help lists the options\)\n$/,
      ),
      expect.stringMatching(
        /^pnpm x: Option '--epochs' argument is ambiguous\. [^\n]*'--epochs=-XYZ'\. \(pnpm x --help lists the options\)\n$/,
      ),
      "pnpm x: Unknown option '-x' (a path starting with '-': write it ./-name) (pnpm x --help lists the options)\n",
      'pnpm x: --epochs is empty (an unset shell variable?); give it a value or leave it out (pnpm x --help lists the options)\n',
    ]);
  });

  it('answers -h and --help with the help text on stdout and exit status 0, whatever else was given', () => {
    const write = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    const exit = vi.spyOn(process, 'exit').mockImplementation((code) => {
      throw new Error(`exit ${code}`);
    });
    for (const flag of ['-h', '--help']) {
      expect(() => parseCommandArgs('Usage: pnpm x\n', { args: ['--epochs', '9', flag], options })).toThrow(
        'exit 0',
      );
    }
    // Beside a mistyped option too: the help is what its writer needs (it was refused for the typo).
    expect(() => parseCommandArgs('Usage: pnpm x\n', { args: ['--epoch', '9', '--help'], options })).toThrow(
      'exit 0',
    );
    expect(write.mock.calls).toEqual([['Usage: pnpm x\n'], ['Usage: pnpm x\n'], ['Usage: pnpm x\n']]);
    expect(exit).toHaveBeenCalledTimes(3);
  });

  it('refuses an option given twice with different values, rather than keep the last silently', () => {
    const write = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    vi.spyOn(process, 'exit').mockImplementation((code) => {
      throw new Error(`exit ${code}`);
    });
    const help = 'Usage: pnpm x [options]\n';
    const more = { ...options, task: { type: 'string', multiple: true } } as const;
    expect(() => parseCommandArgs(help, { args: ['--epochs', '1', '--epochs=2'], options: more })).toThrow(
      'exit 2',
    );
    // The same value twice, a boolean twice and an option that takes several are no conflict.
    const args = ['--epochs', '1', '--fast', '--epochs=1', '--fast', '--task', 'age', '--task', 'gender'];
    expect(parseCommandArgs(help, { args, options: more }).values).toEqual({
      epochs: '1',
      fast: true,
      task: ['age', 'gender'],
    });
    expect(write.mock.calls.map(([line]) => String(line))).toEqual([
      'pnpm x: --epochs is given twice, "1" then "2"; give it once (pnpm x --help lists the options)\n',
    ]);
  });

  it('resolves a typed path from where the user ran the command (pnpm runs scripts in the package)', () => {
    expect(userPath('m/x.json', { INIT_CWD: '/somewhere' })).toBe('/somewhere/m/x.json');
    expect(userPath('/abs', { INIT_CWD: '/somewhere' })).toBe('/abs');
    expect(userPath('m', {})).toBe(`${process.cwd()}/m`);
    // `--out=~/runs` reaches the command with its `~`: the shell expands it only at a word's start.
    expect(userPath('~/runs', { INIT_CWD: '/somewhere', HOME: '/home/me' })).toBe('/home/me/runs');
    expect(userPath('~', { HOME: '/home/me' })).toBe('/home/me');
    expect(userPath('~x', { INIT_CWD: '/somewhere', HOME: '/home/me' })).toBe('/somewhere/~x');
  });

  it('shows a path from where the user ran the command when it lies inside it, else whole', () => {
    const env = { INIT_CWD: '/w/main/models' };
    expect(pathForUser('/w/main/models/exp', env)).toBe('exp');
    expect(pathForUser('/w/main/models', env)).toBe('.');
    expect(pathForUser('/w/main/models/..x/y', env)).toBe('..x/y');
    // Not "../runs/r1", nor the project root's "runs/r1" read from models/.
    expect(pathForUser('/w/main/runs/r1', env)).toBe('/w/main/runs/r1');
    expect(pathForUser('/tmp/gp/exp', env)).toBe('/tmp/gp/exp');
  });

  it('checks a whole number against its range, naming the flag, the range and what it means', () => {
    expect(wholeNumber('port', '0', 0, 65535)).toBe(0);
    expect(wholeNumber('port', '65535', 0, 65535)).toBe(65535);
    expect(() => wholeNumber('port', '65536', 0, 65535)).toThrow(
      '--port must be a whole number from 0 to 65535, got "65536"',
    );
    expect(() => wholeNumber('threads', '3', 1, 2, 'this machine has 2 cores')).toThrow(
      '--threads must be a whole number from 1 to 2 (this machine has 2 cores), got "3"',
    );
    // Number('') and Number(' ') are 0: a blank value is not taken for a zero.
    for (const blank of ['', ' ']) expect(() => wholeNumber('wait', blank, 0)).toThrow('--wait must be');
  });

  it('checks a share against (0, 1), or [0, 1), naming the flag; a blank value is no zero', () => {
    expect(fraction('test-fraction', '0.25', false)).toBe(0.25);
    expect(fraction('validation-fraction', '0', true)).toBe(0);
    for (const bad of ['0', '1', '-0.1', 'NaN', '1e309', 'abc', '', ' '])
      expect(() => fraction('test-fraction', bad, false)).toThrow(
        `--test-fraction must be above 0 and below 1, got "${bad}"`,
      );
    expect(() => fraction('validation-fraction', ' ', true)).toThrow(
      '--validation-fraction must be at least 0 and below 1, got " "',
    );
  });

  it('takes a whole-number flag at or above its minimum, and refuses anything else in one line', () => {
    const write = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    vi.spyOn(process, 'exit').mockImplementation((code) => {
      throw new Error(`exit ${code}`);
    });
    const help = 'Usage: pnpm x [options]\n';
    expect(wholeNumberFlag(help, 'faces', '12', 1)).toBe(12);
    for (const bad of ['0', '1.5', 'abc', ''])
      expect(() => wholeNumberFlag(help, 'faces', bad, 1)).toThrow('exit 2');
    expect(String(write.mock.calls[0]![0])).toBe('pnpm x: --faces must be a whole number ≥ 1, got "0"\n');
  });

  it('ends the command with a validator’s message when it throws, and lets it pass otherwise', () => {
    const write = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    vi.spyOn(process, 'exit').mockImplementation((code) => {
      throw new Error(`exit ${code}`);
    });
    const help = 'Usage: pnpm x [options]\n';
    expect(checkFlags(help, () => 3)).toBe(3);
    expect(() =>
      checkFlags(help, () => {
        throw new Error('unknown preset "nope"');
      }),
    ).toThrow('exit 2');
    expect(write.mock.calls.map(([line]) => String(line))).toEqual(['pnpm x: unknown preset "nope"\n']);
  });

  it('checks a folder or file to write before the work: not a file where a folder must be, nor the reverse', async () => {
    const dir = await tempFolder('facekit-args-');
    const file = join(dir, 'report.md');
    await writeFile(file, 'x');
    expect(folderToWrite('out', join(dir, 'new/run'), 'fallback')).toBe(join(dir, 'new/run'));
    expect(folderToWrite('out', undefined, dir)).toBe(dir);
    expect(() => folderToWrite('out', file, 'fallback')).toThrow(
      `--out ${file}: ${file} is a file, not a folder`,
    );
    // mkdir said only ENOTDIR, and only once the run had been trained.
    expect(() => folderToWrite('out', join(file, 'run/a'), 'fallback')).toThrow(
      `--out ${file}/run/a: ${file} is a file, so nothing can be made inside it`,
    );
    expect(fileToWrite('json', join(dir, 'new/m.json'))).toBe(join(dir, 'new/m.json'));
    expect(fileToWrite('json', file)).toBe(file);
    expect(() => fileToWrite('json', dir)).toThrow(`--json ${dir}: ${dir} is a folder; name a file to write`);
    expect(() => fileToWrite('json', join(file, 'm.json'))).toThrow(
      `--json ${file}/m.json: ${file} is a file, so nothing can be made inside it`,
    );
  });

  it('resolves a file flag from where the user ran the command, and refuses one that is not there', () => {
    const write = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    vi.spyOn(process, 'exit').mockImplementation((code) => {
      throw new Error(`exit ${code}`);
    });
    vi.stubEnv('INIT_CWD', import.meta.dirname);
    const help = 'Usage: pnpm x [options]\n';
    expect(existingFileFlag(help, 'data', undefined)).toBeUndefined();
    expect(existingFileFlag(help, 'data', 'script-args.ts')).toBe(`${import.meta.dirname}/script-args.ts`);
    expect(() => existingFileFlag(help, 'data', 'nope.csv')).toThrow('exit 2');
    expect(() => existingFileFlag(help, 'data', '.')).toThrow('exit 2');
    expect(write.mock.calls.map(([line]) => String(line))).toEqual([
      'pnpm x: --data nope.csv: no such file\n',
      'pnpm x: --data .: is a folder, not a file\n',
    ]);
    vi.unstubAllEnvs();
  });
});
