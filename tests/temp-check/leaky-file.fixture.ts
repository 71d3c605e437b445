/**
 * Not a test of the project (its name is outside the project's include): tests/temp-check/temp-check.test.ts
 * runs it in a Vitest of its own (fixture.config.ts), with FACEKIT_TEMP_CHECK_FIXTURE set, to see
 * tests/support/temp-check.ts at work. With `leak` it leaves a folder and a file in os.tmpdir(); with
 * `clean` it leaves nothing. Either way it makes folders with tempFolder(), in a test and outside one,
 * which must be gone.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { tempFolder } from '../support/temp-folder.js';

const mode = process.env.FACEKIT_TEMP_CHECK_FIXTURE;
let forTheFile = '';
let forTheTest = '';

beforeAll(async () => {
  forTheFile = await tempFolder('for-the-file-');
});
afterAll(() => {
  // The test's folder went when it finished; the file's stays until after this hook.
  expect([existsSync(forTheTest), existsSync(forTheFile)]).toEqual([false, true]);
});

it('makes temp folders (and with `leak`, leaves some behind)', async () => {
  forTheTest = await tempFolder('for-the-test-');
  await writeFile(join(forTheTest, 'a.txt'), 'removed with its folder');
  if (mode === 'leak') {
    await mkdtemp(join(tmpdir(), 'left-behind-'));
    await writeFile(join(tmpdir(), 'left-behind.txt'), 'a file is a leftover too');
  }
});
