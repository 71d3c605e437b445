import { describe, expect, it } from 'vitest';
import { parseArgs } from 'node:util';
import { scriptArgs } from './script-args.js';

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
