import { describe, expect, it } from 'vitest';
import { InvalidPhotoNameError } from '@facekit/core';
import { parsePhotoName } from './photo-name.js';

const NAMING = 'a labelled photo is named age_gender_race_…, as UTKFace names its faces';

describe('parsePhotoName', () => {
  it("reads UTKFace's age, gender and race, ignoring the rest of the name", () => {
    expect(parsePhotoName('1_0_0_20161219140623097.jpg.chip.jpg')).toEqual({
      age: 1,
      gender: 0,
      ethnicity: 0,
    });
    expect(parsePhotoName('116_1_4_20170120134921760.jpg.chip.jpg')).toEqual({
      age: 116,
      gender: 1,
      ethnicity: 4,
    });
    expect(parsePhotoName('26_1_3.png')).toEqual({ age: 26, gender: 1, ethnicity: 3 });
    expect(parsePhotoName('07_0_2_my_holiday.webp')).toEqual({ age: 7, gender: 0, ethnicity: 2 });
    expect(parsePhotoName('120_0_1_x.jpeg').age).toBe(120);
  });

  it("refuses UTKFace's three names without a race, naming the file", () => {
    for (const name of [
      '39_1_20170116174525125.jpg.chip.jpg',
      '61_1_20170109150557335.jpg.chip.jpg',
      '61_1_20170109142408075.jpg.chip.jpg',
    ]) {
      const parse = () => parsePhotoName(name, `/faces/${name}`);
      expect(parse).toThrow(InvalidPhotoNameError);
      expect(parse).toThrow(
        `/faces/${name}: race (the name's third field) must be an integer 0–4, got "${name.slice(5, 29)}…" (a date and time: the name has no race); ${NAMING}`,
      );
    }
    // Without the ".chip" UTKFace's in-the-wild photos have, the date and time is a whole number.
    expect(() => parsePhotoName('39_1_20170116174525125.jpg')).toThrow(
      'race (the name\'s third field) must be an integer 0–4, got "20170116174525125" (a date and time: the name has no race)',
    );
  });

  it('refuses labels out of range or not whole numbers, and names with too few fields', () => {
    const cases: [string, string][] = [
      ['0_0_0_x.jpg', 'age (the name\'s first field) must be an integer 1–120, got "0"'],
      ['121_0_0_x.jpg', 'age (the name\'s first field) must be an integer 1–120, got "121"'],
      ['30_2_0_x.jpg', 'gender (the name\'s second field) must be an integer 0–1, got "2"'],
      ['30_0_5_x.jpg', 'race (the name\'s third field) must be an integer 0–4, got "5"'],
      ['30_0_-1_x.jpg', 'race (the name\'s third field) must be an integer 0–4, got "-1"'],
      ['30.5_0_1_x.jpg', 'age (the name\'s first field) must be an integer 1–120, got "30.5"'],
      ['30_ 1_1_x.jpg', 'gender (the name\'s second field) must be an integer 0–1, got " 1"'],
      ['30__1_x.jpg', 'gender (the name\'s second field) must be an integer 0–1, got ""'],
      ['face.jpg', `its name has 1 "_"-separated field before the extension, not 3 or more; ${NAMING}`],
      ['30_1.jpg', `its name has 2 "_"-separated fields before the extension, not 3 or more; ${NAMING}`],
    ];
    for (const [name, reason] of cases)
      expect(() => parsePhotoName(name), name).toThrow(`${name}: ${reason}`);
  });
});
