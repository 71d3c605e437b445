/**
 * Run as a package.json script (`pnpm serve`), a command's process is the child of the package manager's
 * shell. pnpm, sent SIGTERM (`kill <pid>` of the process a person or a supervisor started), exits and takes
 * its shell with it without passing the signal on: the command ran on, orphaned — a server still holding
 * its port, a training run still taking every core — with nothing left to stop it but a second `kill` of a
 * pid nobody was shown. `onLauncherGone` calls back, once, when the process that started this one has gone
 * (its parent pid changed: it was handed to init or a subreaper), so the command can stop as it would on
 * SIGTERM. It watches only when a package manager started the command (`npm_lifecycle_event` is set): a
 * command started with `nohup node …` from a shell that then exits is meant to outlive that shell.
 */
export function onLauncherGone(
  callback: () => void,
  { everyMs = 250, env = process.env }: { everyMs?: number; env?: NodeJS.ProcessEnv } = {},
): () => void {
  if (env.npm_lifecycle_event === undefined) return () => {};
  const parent = process.ppid;
  const timer = setInterval(() => {
    if (process.ppid === parent) return;
    clearInterval(timer);
    callback();
  }, everyMs);
  // Never what keeps the process alive.
  timer.unref();
  return () => clearInterval(timer);
}
