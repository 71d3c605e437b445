/**
 * Vitest globalSetup: the run's own temp folder. TMPDIR points at a fresh folder for the whole run (so
 * os.tmpdir() in Vitest, its workers and every server, CLI or browser a test starts lands there), and
 * tests/support/temp-check.ts gives each test file a folder of its own inside it and fails the file if
 * anything is left in it. At the end the run's folder is removed; should anything still be in it (a
 * test file whose process died before its check, a child that wrote after its file was done), the run
 * fails, naming what was left.
 *
 * onnxruntime-node (1.29 on) has telemetry on Linux and macOS too, and it leaves a `.ses` file and a
 * `mat-debug-<pid>.log` in os.tmpdir() for every process that opens a session. The toolkit's own
 * processes turn it off (@facekit/core/node's onnxruntime-telemetry.ts); the tests turn it off for every
 * process of the run too (ORT_DISABLE_TELEMETRY=1, read once when a process first opens a session), so that
 * a test file opening sessions without the toolkit writes nothing there and sends nothing.
 * (packages/serve/src/onnxruntime-telemetry.test.ts unsets it to check the toolkit's own default.)
 */
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';

declare module 'vitest' {
  export interface ProvidedContext {
    /** The run's temp folder, in which each test file gets its own (tests/support/temp-check.ts). */
    tempRoot: string;
  }
}

/** Up to `max` names, then how many more. */
export function someNames(names: readonly string[], max = 12): string {
  const shown = names.slice(0, max).join(', ');
  return names.length > max ? `${shown} and ${names.length - max} more` : shown;
}

export default function setup(project: TestProject): () => void {
  const outer = process.env.TMPDIR;
  // Short: Chromium's socket goes in it (tests/support/temp-check.ts).
  const root = mkdtempSync(join(tmpdir(), 'fk-'));
  process.env.TMPDIR = root;
  process.env.ORT_DISABLE_TELEMETRY = '1';
  project.provide('tempRoot', root);
  return () => {
    if (outer === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = outer;
    // A file's folder is left empty where its hooks never ran (every test in it skipped): no leftover.
    const left = readdirSync(root, { withFileTypes: true }).flatMap((entry) => {
      if (!entry.isDirectory()) return [entry.name];
      const inside = readdirSync(join(root, entry.name));
      return inside.length === 0 ? [] : [`${entry.name}/ (${someNames(inside, 6)})`];
    });
    rmSync(root, { recursive: true, force: true, maxRetries: 3 });
    if (left.length === 0) return;
    // Vitest reports an error thrown here but still exits 0; the exit code is what fails the run.
    process.exitCode = 1;
    console.error(
      `\nThe test run left ${left.length} entr${left.length === 1 ? 'y' : 'ies'} in its temp folder ${root} ` +
        `(now removed): ${someNames(left)}. Each test file's leftovers are named by its own check ` +
        `(tests/support/temp-check.ts); these outlived it.\n`,
    );
  };
}
