/**
 * `pnpm serve`: parses flags, starts the server on the shipped models (or `--models`), and turns
 * SIGTERM/SIGINT into a drain. A wrong flag is refused in one line (exit status 2); a start that cannot
 * succeed — bad manifest, corrupt model, no provider — prints one clear line and exits 1.
 */
import { HELP, parseServeArgs } from './options.js';
import { Logger } from './logger.js';
import { startServer } from './server.js';
import { onLauncherGone, refuseFlags, scriptArgs } from '@facekit/core/node';

async function main(): Promise<number> {
  let options;
  try {
    options = parseServeArgs(scriptArgs());
  } catch (error) {
    // One line, exit status 2, as every command refuses its flags.
    refuseFlags(HELP, (error as Error).message);
  }
  if (!options) {
    process.stdout.write(HELP);
    return 0;
  }
  // Signals are heard from the start: one that comes while the models load or the providers warm up
  // (a deploy rolled back, Ctrl-C on a slow start) stops the server as soon as it exists and exits 0,
  // as it does once the server is ready — not by the signal's default, which killed it without a word.
  let signalled: NodeJS.Signals | 'launcher gone' | undefined;
  let wake = () => {};
  const onSignal = (signal: NonNullable<typeof signalled>) => {
    signalled = signal;
    wake();
  };
  process.once('SIGTERM', onSignal);
  process.once('SIGINT', onSignal);
  // The terminal it ran in closed (an SSH session dropped): drained too, not killed mid-request.
  process.once('SIGHUP', onSignal);
  // Started by `pnpm serve` and pnpm sent SIGTERM: pnpm exits without passing it on, and the server would
  // run on, orphaned, holding its port. Drained the same way once pnpm's shell is gone.
  onLauncherGone(() => onSignal('launcher gone'));
  const signal = new Promise<void>((resolve) => (wake = resolve));
  // A fault nothing caught ends the process, as Node would, but as one JSON line a log collector reads
  // with the rest (Node's own is a multi-line stack on stderr).
  const logger = new Logger(options.logLevel);
  const fatal = (kind: string) => (error: unknown) => {
    logger.error(kind, { error });
    process.exit(1);
  };
  process.on('uncaughtException', fatal('uncaught exception'));
  process.on('unhandledRejection', fatal('unhandled rejection'));
  let server;
  try {
    server = await startServer(options, { logger });
    // Stopped while warming up, the server's `ready` rejects: the answer to the signal, not a failure.
    await Promise.race([server.ready, signal]);
  } catch (error) {
    if (!signalled) {
      const code = (error as { code?: string }).code;
      process.stderr.write(`serve: cannot start: ${code ? `[${code}] ` : ''}${(error as Error).message}\n`);
      return 1;
    }
  }
  await signal;
  if (server) {
    if (signalled === 'launcher gone')
      server.state.logger.info('stopping: the package manager that started the server has exited');
    else server.state.logger.info('signal received', { signal: signalled });
    await server.stop();
  }
  return 0;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`serve: ${(error as Error).stack ?? String(error)}\n`);
    process.exit(1);
  },
);
