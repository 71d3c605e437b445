import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PIXEL_COUNT } from '@facekit/core';
import { faceInputs } from './inputs.js';
import { tempFolder } from '../../../../tests/support/temp-folder.js';

const pixels = (level: number) => new Array<number>(PIXEL_COUNT).fill(level).join(' ');

async function csv(text: string): Promise<string> {
  const path = join(await tempFolder('face-inputs-'), 'faces.csv');
  await writeFile(path, text);
  return path;
}

describe('faceInputs', () => {
  it('reads any file training reads — quoted fields, a BOM, CRLF — passing over invalid rows', async () => {
    const path = await csv(
      '\ufeff"age","ethnicity","gender","img_name","pixels"\r\n' +
        `"30","1","0","a, with a comma.jpg","${pixels(51)}"\r\n` +
        `30,1,0,too-short.jpg,"1 2 3"\r\n` +
        `0,1,0,age-zero.jpg,"${pixels(7)}"\r\n` +
        `40,2,1,b.jpg,"${pixels(255)}"\r\n` +
        `50,3,1,c.jpg,"${pixels(0)}"\r\n`,
    );
    const { inputs, count } = await faceInputs(path, 2);
    expect(count).toBe(2);
    expect(inputs.length).toBe(2 * PIXEL_COUNT);
    expect(inputs[0]).toBeCloseTo(0.2, 7);
    expect(inputs[PIXEL_COUNT]).toBe(1);
    expect((await faceInputs(path, 10)).count).toBe(3);
  });

  it('reads nothing for 0 faces, and refuses a file that is not a faces CSV', async () => {
    expect((await faceInputs('/no/such/file.csv', 0)).count).toBe(0);
    const other = await csv('id,pixels\n1,"1 2 3"\n');
    await expect(faceInputs(other, 4)).rejects.toThrow(
      /header must name the columns age,ethnicity,gender,img_name,pixels .*: no "age" column/,
    );
  });
});
