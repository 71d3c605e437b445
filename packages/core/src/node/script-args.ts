import { parseArgs, type ParseArgsConfig } from 'node:util';

/**
 * A command's own arguments: what follows the script in `process.argv`, without the `--` that
 * `pnpm train -- --epochs 3` passes through (npm's habit; pnpm forwards the separator itself). Every
 * CLI of the toolkit parses these, so both spellings work everywhere. The positional arguments some
 * take (run folders, preset names) never begin with `-`, so a `--` carries no meaning of its own here.
 */
export function scriptArgs(argv: readonly string[] = process.argv): string[] {
  return argv.slice(2).filter((a) => a !== '--');
}

/** The flag every command answers. */
const HELP_OPTION = { help: { type: 'boolean', short: 'h' } } as const;

type WithHelp<C extends ParseArgsConfig> = C & { options: typeof HELP_OPTION };

/**
 * A command's options parsed (strictly, as parseArgs does by default) from `config.args`, or from
 * scriptArgs() when absent, with `-h, --help` added: asked for it, the command prints `help` to stdout
 * and exits 0, so no command needs its own help handling.
 */
export function parseCommandArgs<const C extends ParseArgsConfig>(
  help: string,
  config: C,
): ReturnType<typeof parseArgs<WithHelp<C>>> {
  const parsed = parseArgs({
    args: scriptArgs(),
    ...config,
    options: { ...config.options, ...HELP_OPTION },
  } as WithHelp<C>);
  if ((parsed.values as { help?: boolean }).help) {
    process.stdout.write(help);
    process.exit(0);
  }
  return parsed;
}
