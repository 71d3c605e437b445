/**
 * The arguments of a bench script that reads one finished run on one part of its split:
 * `<run folder> [validation|test]` (default validation). A wrong call prints the usage and exits 2.
 */
import { parseCommandArgs } from '@facekit/core/node';

export function parseRunAndPart(help: string): { runDir: string; part: 'validation' | 'test' } {
  const { positionals } = parseCommandArgs(help, { allowPositionals: true });
  const [runDir, part = 'validation'] = positionals;
  if (!runDir || (part !== 'validation' && part !== 'test') || positionals.length > 2) {
    process.stderr.write(help);
    process.exit(2);
  }
  return { runDir, part };
}
