/**
 * Temporary folders for tests that remove themselves, so that a test run leaves nothing behind in the
 * system's temp folder (tests/support/temp-check.ts fails a test file that does). A folder made in a
 * test, or in a beforeEach, goes when that test finishes, after its afterEach hooks; one made outside a
 * test (at module level, in a beforeAll) goes after the file's last afterAll hook, so a server or child
 * that a file's afterAll stops is stopped before its folder is removed. For Vitest only: a command run
 * outside it removes its own folders.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { onTestFinished, TestRunner } from 'vitest';

/** Folders made outside a test, removed by tests/support/temp-check.ts once the file is done. */
const forTheFile: string[] = [];

const remove = (dir: string) => rm(dir, { recursive: true, force: true, maxRetries: 3 });

/** A new empty folder `<os.tmpdir()>/<prefix>XXXXXX`, removed when the test (or the file) that made it is done. */
export async function tempFolder(prefix: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  if (TestRunner.getCurrentTest()) onTestFinished(() => remove(dir));
  else forTheFile.push(dir);
  return dir;
}

/** Removes the folders made outside a test; called after the test file's last afterAll hook. */
export async function removeFileTempFolders(): Promise<void> {
  await Promise.all(forTheFile.splice(0).map(remove));
}
