/**
 * A command's own arguments: what follows the script in `process.argv`, without the `--` that
 * `pnpm train -- --epochs 3` passes through (npm's habit; pnpm forwards the separator itself). Every
 * CLI of the toolkit parses these, so both spellings work everywhere. The positional arguments some
 * take (run folders, preset names) never begin with `-`, so a `--` carries no meaning of its own here.
 */
export function scriptArgs(argv: readonly string[] = process.argv): string[] {
  return argv.slice(2).filter((a) => a !== '--');
}
