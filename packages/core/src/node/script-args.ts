import { statSync, type Stats } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { isFaceKitError } from '../errors.js';

/**
 * A command's own arguments: what follows the script in `process.argv`, without the `--` that
 * `pnpm train -- --epochs 3` passes through (npm's habit; pnpm forwards the separator itself). Every
 * CLI of the toolkit parses these, so both spellings work everywhere. The positional arguments some
 * take (run folders, preset names) never begin with `-`, so a `--` carries no meaning of its own here.
 */
export function scriptArgs(argv: readonly string[] = process.argv): string[] {
  return argv.slice(2).filter((a) => a !== '--');
}

/**
 * The folder the user ran the command from: pnpm runs package scripts inside the package and says where
 * it was called in INIT_CWD. Every command resolves the paths it is given from here.
 */
export function userCwd(env: NodeJS.ProcessEnv = process.env): string {
  return env.INIT_CWD ?? process.cwd();
}

/**
 * A path the user typed, resolved from where they ran the command (userCwd). A leading `~` is their home
 * folder, as the shell would have made it: it leaves the `~` of `--out=~/runs` as it is, and the path
 * then named a folder called `~` in the current one.
 */
export function userPath(typed: string, env: NodeJS.ProcessEnv = process.env): string {
  if (typed === '~' || typed.startsWith('~/')) return join(env.HOME || homedir(), typed.slice(1));
  return resolve(userCwd(env), typed);
}

/**
 * A path as a command shows it to the user: from where they ran the command when it lies inside that
 * folder (`runs/x`, `.`), else absolute — never a `../..` they would have to work out, nor a path from
 * the project root read as if from their own folder.
 */
export function pathForUser(path: string, env: NodeJS.ProcessEnv = process.env): string {
  const rel = relative(userCwd(env), path);
  return rel === '..' || rel.startsWith(`..${sep}`) || isAbsolute(rel) ? path : rel || '.';
}

/** The flag every command answers. */
const HELP_OPTION = { help: { type: 'boolean', short: 'h' } } as const;

type WithHelp<C extends ParseArgsConfig> = C & { options: typeof HELP_OPTION };

/** What parseArgs says of each argument, asked with `tokens: true`. */
type ParsedTokens = readonly { kind: string; name?: string; value?: string | undefined }[];

/** The command as its help's usage line names it ("pnpm train"), for error lines. */
function commandName(help: string): string {
  return /^Usage: (.+?)(?= \[| <|$)/m.exec(help)?.[1] ?? 'command';
}

/**
 * A command's fatal error as the one line it ends with: `pnpm train: [INVALID_CSV_ROW] faces.csv:5: …`.
 * The toolkit's own errors carry their code, the same in every command, to search the docs by, and the
 * command's hint for that code, if it has one, in brackets after.
 */
export function failureLine(
  help: string,
  error: unknown,
  hints: Readonly<Record<string, string>> = {},
): string {
  const message = error instanceof Error ? error.message : String(error);
  if (!isFaceKitError(error)) return `${commandName(help)}: ${message}`;
  const hint = hints[error.code];
  return `${commandName(help)}: [${error.code}] ${message}${hint ? ` (${hint})` : ''}`;
}

/**
 * Runs a command's `main` and ends the process with the exit status it returns (returning none, the
 * process ends by itself once its work is done); a throw is said in `failureLine`'s one line on stderr,
 * with the command's hints, and exits 1. Every command's entry point, so they all end alike.
 */
export function runCommand(
  help: string,
  main: () => Promise<number | void>,
  hints: Readonly<Record<string, string>> = {},
): void {
  main().then(
    (code) => {
      if (typeof code === 'number') process.exit(code);
    },
    (error: unknown) => {
      process.stderr.write(`${failureLine(help, error, hints)}\n`);
      process.exit(1);
    },
  );
}

/**
 * A command's options parsed (strictly, as parseArgs does by default) from `config.args`, or from
 * scriptArgs() when absent, with `-h, --help` added: asked for it (beside whatever else, a wrong option
 * included), the command prints `help` to stdout and exits 0, so no command needs its own help handling.
 * Arguments parseFlags refuses are said in one line on stderr (exit status 2), not thrown: several
 * commands are scripts with no catch of their own, where a throw printed a stack trace.
 */
export function parseCommandArgs<const C extends ParseArgsConfig>(
  help: string,
  config: C,
): ReturnType<typeof parseArgs<WithHelp<C>>> {
  const args = config.args ?? scriptArgs();
  // Help is what someone who typed a wrong option next to --help wants: it wins over the mistake.
  if (asksForHelp(args)) {
    process.stdout.write(help);
    process.exit(0);
  }
  try {
    return parseFlags(help, config, args);
  } catch (error) {
    refuseFlags(help, (error as Error).message);
  }
}

/**
 * `config`'s options, `-h, --help` among them, parsed strictly from `args` (by default `config.args`,
 * else scriptArgs()), or a RangeError in one line ending "(<command> --help lists the options)": an unknown
 * option, a missing value, an option given twice with different values (repeatedOption) or given empty
 * (emptyArgument). For a caller that throws rather than exits (pnpm serve's parseServeArgs, a library
 * function); the commands call parseCommandArgs.
 */
export function parseFlags<const C extends ParseArgsConfig>(
  help: string,
  config: C,
  args: readonly string[] = config.args ?? scriptArgs(),
): ReturnType<typeof parseArgs<WithHelp<C>>> {
  const refused = (problem: string) =>
    new RangeError(`${problem} (${commandName(help)} --help lists the options)`);
  const options = { ...config.options, ...HELP_OPTION };
  let parsed: ReturnType<typeof parseArgs<WithHelp<C>>> & { tokens: ParsedTokens };
  try {
    parsed = parseArgs({
      ...config,
      args: [...args],
      options,
      tokens: true,
    } as WithHelp<C>) as typeof parsed;
  } catch (error) {
    // Some of parseArgs's messages span lines (a value starting with a dash, as in `--epochs -1`). Its
    // advice to put an argument starting with '-' after '--' does not hold here: scriptArgs drops every
    // `--` (a package manager's), so such a path is written ./-name.
    throw refused(
      (error as Error).message
        .replace(/\s*\n\s*/g, ' ')
        .replace(
          /\. To specify a positional argument starting with a '-'.*$/,
          " (a path starting with '-': write it ./-name)",
        ),
    );
  }
  const repeated = repeatedOption(parsed.tokens, options);
  if (repeated) throw refused(repeated);
  // An option whose default is '' may be given empty: that is its default.
  const emptyByDefault = Object.entries(config.options ?? {})
    .filter(([, option]) => option.default === '')
    .map(([name]) => name);
  const given = Object.fromEntries(
    Object.entries(parsed.values).filter(([name]) => !emptyByDefault.includes(name)),
  );
  const empty = emptyArgument(given, parsed.positionals ?? []);
  if (empty) throw refused(empty);
  const { tokens: _, ...result } = parsed;
  return result as ReturnType<typeof parseArgs<WithHelp<C>>>;
}

/** Whether a command's arguments ask for its help (`-h` or `--help`, wherever they stand). */
export function asksForHelp(args: readonly string[]): boolean {
  return args.includes('--help') || args.includes('-h');
}

/**
 * Why an option that takes one value is refused for being given twice with different values, or
 * undefined: parseArgs keeps the last, so `pnpm train --epochs 1 … --epochs 2` trained 2 epochs without
 * a word about the 1. The same value twice, and options declared `multiple`, are fine.
 */
export function repeatedOption(
  tokens: ParsedTokens,
  options: ParseArgsConfig['options'] = {},
): string | undefined {
  const seen = new Map<string, string | true>();
  for (const token of tokens) {
    if (token.kind !== 'option' || token.name === undefined || options[token.name]?.multiple) continue;
    const value = token.value ?? true;
    const before = seen.get(token.name);
    if (before !== undefined && before !== value)
      return `--${token.name} is given twice, "${String(before)}" then "${String(value)}"; give it once`;
    seen.set(token.name, value);
  }
  return undefined;
}

/**
 * Why an argument given as '' is refused, or undefined: `--out "$DIR"` with DIR unset must not mean the
 * default (an export wrote over the shipped models/ that way), nor `--data ""` the default data file.
 */
export function emptyArgument(
  values: Record<string, unknown>,
  positionals: readonly string[] = [],
): string | undefined {
  for (const [name, value] of Object.entries(values))
    if (value === '' || (Array.isArray(value) && value.includes('')))
      return `--${name} is empty (an unset shell variable?); give it a value or leave it out`;
  if (positionals.includes('')) return 'an argument is empty (an unset shell variable?)';
  return undefined;
}

/** What is at `path`, or undefined when nothing is (nor can be: a file stands where a folder would). */
function statOf(path: string): Stats | undefined {
  try {
    return statSync(path, { throwIfNoEntry: false });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOTDIR') return undefined;
    throw error;
  }
}

/** The nearest of `path` and the folders above it that exists, with what it is. */
function nearestExisting(path: string): { path: string; stats: Stats } | undefined {
  for (let at = path; ; at = dirname(at)) {
    const stats = statOf(at);
    if (stats) return { path: at, stats };
    if (dirname(at) === at) return undefined;
  }
}

/**
 * An Error, or undefined, for `path`, named by `--name value`, to be written with the folders it needs:
 * the nearest existing one above it must be a folder, not a file (`--out report.md/run`), which mkdir
 * would otherwise refuse as a bare ENOTDIR, after the work.
 */
function unwritable(name: string, value: string, path: string): Error | undefined {
  const found = nearestExisting(dirname(path));
  if (!found || found.stats.isDirectory()) return undefined;
  return new Error(`--${name} ${value}: ${found.path} is a file, so nothing can be made inside it`);
}

/**
 * The folder a flag names to write into (`--out`), resolved from where the user ran the command, else
 * `fallback`; an Error, for checkFlags, when it names a file or lies inside one.
 */
export function folderToWrite(name: string, value: string | undefined, fallback: string): string {
  const folder = value ? userPath(value) : fallback;
  if (statOf(folder)?.isDirectory() === false)
    throw new Error(`--${name} ${value}: ${folder} is a file, not a folder`);
  const error = unwritable(name, value ?? '', folder);
  if (error) throw error;
  return folder;
}

/**
 * The file a flag names to write (`--out report.md`), resolved from where the user ran the command; an
 * Error, for checkFlags, when it names a folder or lies inside a file: checked before the work, so that
 * a report is not computed only to fail at its writing. Its missing folders are the writer's to make.
 */
export function fileToWrite(name: string, value: string): string {
  const file = userPath(value);
  if (statOf(file)?.isDirectory())
    throw new Error(`--${name} ${value}: ${file} is a folder; name a file to write`);
  const error = unwritable(name, value, file);
  if (error) throw error;
  return file;
}

/**
 * A flag's whole-number value in [min, max], or an Error naming the flag and the range (`what` says what
 * the range means, e.g. "this machine has 2 cores"): the one check every command applies to counts,
 * sizes and ports, thrown so that a caller checking several flags at once (checkFlags) refuses the first.
 */
export function wholeNumber(name: string, value: string, min: number, max = Infinity, what?: string): number {
  const n = Number(value);
  if (value.trim() !== '' && Number.isInteger(n) && n >= min && n <= max) return n;
  const range = max === Infinity ? `≥ ${min}` : `from ${min} to ${max}`;
  throw new Error(`--${name} must be a whole number ${range}${what ? ` (${what})` : ''}, got "${value}"`);
}

/**
 * A flag's share of something (`--test-fraction 0.3`): a number below 1, and above 0 or, `allowZero`,
 * at least 0; an Error naming the flag otherwise. A blank value is not a zero (Number(' ') is 0: a
 * `--validation-fraction ' '` trained without a validation part, without a word).
 */
export function fraction(name: string, value: string, allowZero: boolean): number {
  const f = Number(value);
  if (value.trim() !== '' && f < 1 && (f > 0 || (allowZero && f === 0))) return f;
  throw new Error(`--${name} must be ${allowZero ? 'at least 0' : 'above 0'} and below 1, got "${value}"`);
}

/**
 * A flag's whole-number value in [min, max]; otherwise the command says so in one line on stderr
 * and exits 2, as for an unknown option (a NaN or a 0 batch would otherwise run, or hang).
 */
export function wholeNumberFlag(
  help: string,
  name: string,
  value: string,
  min: number,
  max?: number,
): number {
  return checkFlags(help, () => wholeNumber(name, value, min, max));
}

/**
 * Ends a command whose flags are wrong: `problem` in one line on stderr after the command's name (from
 * its help's usage line), exit status 2 — the one way every command refuses its arguments.
 */
export function refuseFlags(help: string, problem: string): never {
  process.stderr.write(`${commandName(help)}: ${problem}\n`);
  process.exit(2);
}

/**
 * A flag naming a file that must exist (`--data`): resolved from where the user ran the command, or the
 * command refused in one line when nothing, or a folder, is there; `folderHint` says, in brackets after,
 * what a folder is for in this command. Undefined when the flag was not given.
 */
export function existingFileFlag(
  help: string,
  name: string,
  value: string | undefined,
  folderHint?: string,
): string | undefined {
  if (value === undefined || value === '') return undefined;
  const path = userPath(value);
  const stats = statOf(path);
  if (!stats) refuseFlags(help, `--${name} ${value}: no such file`);
  // A folder failed later as a bare EISDIR, or a stack trace, naming neither the flag nor the path.
  if (stats.isDirectory())
    refuseFlags(help, `--${name} ${value}: is a folder, not a file${folderHint ? ` (${folderHint})` : ''}`);
  return path;
}

/**
 * Runs `check`, a validator that throws for a flag value it finds wrong (e.g. train's getPreset for a
 * preset name), and returns what it returns; a thrown message ends the command as refuseFlags does.
 */
export function checkFlags<T>(help: string, check: () => T): T {
  try {
    return check();
  } catch (error) {
    refuseFlags(help, (error as Error).message);
  }
}
