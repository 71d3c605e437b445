import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readJson, readRunInfo, RUN_JSON, SPLIT_JSON } from './run-folder.js';

const tempDir = () => mkdtemp(join(tmpdir(), 'facekit-run-'));

describe('readRunInfo', () => {
  it('names run.json when it is not valid JSON', async () => {
    const dir = await tempDir();
    await writeFile(join(dir, RUN_JSON), '{ "runId": "x", oops }');
    await expect(readRunInfo(dir)).rejects.toThrow(
      new RegExp(`^${join(dir, RUN_JSON)} is not valid JSON \\(.+\\)$`),
    );
  });

  it('says a folder without run.json is not a run folder', async () => {
    const dir = await tempDir();
    await mkdir(join(dir, 'age'));
    await expect(readRunInfo(dir)).rejects.toThrow(`${dir} is not a run folder (it has no run.json)`);
    await expect(readRunInfo(join(dir, 'nope'))).rejects.toThrow(
      `${join(dir, 'nope')} is not a run folder (it does not exist)`,
    );
    await writeFile(join(dir, 'run.csv'), 'age,ethnicity,gender,img_name,pixels\n');
    await expect(readRunInfo(join(dir, 'run.csv'))).rejects.toThrow(
      `${join(dir, 'run.csv')} is not a run folder (it is a file)`,
    );
  });
});

describe('readJson', () => {
  it('names split.json when it is cut short or missing', async () => {
    const dir = await tempDir();
    await writeFile(join(dir, SPLIT_JSON), '{"train": [1, 2');
    await expect(readJson(join(dir, SPLIT_JSON))).rejects.toThrow(
      `${join(dir, SPLIT_JSON)} is not valid JSON (`,
    );
    await expect(readJson(join(dir, 'metrics.json'))).rejects.toThrow(
      `${join(dir, 'metrics.json')} does not exist`,
    );
  });
});
