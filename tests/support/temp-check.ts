/**
 * Vitest setup (every test file): the file's own temp folder, checked empty when the file is done.
 * TMPDIR points at a fresh folder inside the run's (tests/support/temp-run.ts), so whatever the file,
 * the servers and the children it starts make with os.tmpdir() lands there. After the file's last
 * afterAll hook (this file's hook is registered first, so it runs last), the folders tempFolder() made
 * outside a test are removed, and anything else still there fails the file, naming it, then is removed
 * too: a test run leaves nothing in the system's temp folder, and a test that would is found at once.
 */
import { mkdtempSync } from 'node:fs';
import { readdir, rm } from 'node:fs/promises';
import { basename, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, expect, inject } from 'vitest';
import { removeFileTempFolders } from './temp-folder.js';
import { someNames } from './temp-run.js';

const REPO_ROOT = resolve(fileURLToPath(new URL('../..', import.meta.url)));

/** What tools make in os.tmpdir() on their own, not a test's leftovers: tsx's compile cache (and IPC pipes). */
const TOOL_CACHE = /^tsx-\d+$/;

const root = inject('tempRoot');
if (!root)
  throw new Error(
    'tests/support/temp-check.ts needs tests/support/temp-run.ts as globalSetup (vitest.config.ts)',
  );
const testFile = expect.getState().testPath ?? 'this test file';
// Named after the file, and short: Chromium puts its socket at <TMPDIR>/.org.chromium.Chromium.XXXXXX/
// SingletonSocket, and a socket's path has at most 107 bytes (Chromium aborts past that). With the run's
// folder (/fk-XXXXXX), this leaves 33 bytes for the TMPDIR the tests were started with (/tmp: 4).
const folder = mkdtempSync(join(root, `${basename(testFile).slice(0, 10)}-`));
process.env.TMPDIR = folder;

afterAll(async () => {
  await removeFileTempFolders();
  const left = (await readdir(folder)).filter((name) => !TOOL_CACHE.test(name)).sort();
  await rm(folder, { recursive: true, force: true, maxRetries: 3 });
  if (left.length > 0)
    throw new Error(
      `${relative(REPO_ROOT, testFile)} left ${left.length} entr${left.length === 1 ? 'y' : 'ies'} in the ` +
        `temp folder (os.tmpdir()): ${someNames(left)}. Make test folders with tempFolder() from ` +
        `tests/support/temp-folder.ts, which removes them, and stop what writes into them first.`,
    );
});
