/**
 * A labelled photo's labels, read from its file name as UTKFace names its faces:
 * `[age]_[gender]_[race]_[date&time].jpg.chip.jpg`, gender 0 male, 1 female, race 0 White, 1 Black,
 * 2 Asian, 3 Indian, 4 Others — the CSV's codings (its `ethnicity` is UTKFace's race). The first three
 * `_`-separated fields of the name without its extension are read, strictly as the CSV's labels are
 * (whole numbers, no signs or spaces); whatever follows them is ignored. UTKFace itself holds three
 * names without a race (`39_1_20170116174525125.jpg.chip.jpg`): those are refused, never guessed.
 */
import { InvalidPhotoNameError, snippet } from '@facekit/core';
import { MAX_AGE } from '@facekit/train';

export interface PhotoLabels {
  readonly age: number;
  readonly gender: number;
  readonly ethnicity: number;
}

const NAMING = 'a labelled photo is named age_gender_race_…, as UTKFace names its faces';

const FIELDS = [
  { label: 'age', place: 'first', min: 1, max: MAX_AGE },
  { label: 'gender', place: 'second', min: 0, max: 1 },
  { label: 'race', place: 'third', min: 0, max: 4 },
] as const;

/** The labels in `name` (a file name, no folder); errors name `file` (the photo's path). */
export function parsePhotoName(name: string, file = name): PhotoLabels {
  const fields = name.replace(/\.[^.]*$/, '').split('_');
  if (fields.length < FIELDS.length) {
    throw new InvalidPhotoNameError(
      file,
      `its name has ${fields.length} "_"-separated field${fields.length === 1 ? '' : 's'} before the extension, not 3 or more; ${NAMING}`,
    );
  }
  const [age, gender, race] = FIELDS.map(({ label, place, min, max }, i) => {
    const field = fields[i]!;
    const value = /^\d+$/.test(field) ? Number(field) : NaN;
    if (value >= min && value <= max) return value;
    // UTKFace's three unlabelled names have the date and time where the race should be.
    const missing = /^\d{8,}/.test(field) ? ` (a date and time: the name has no ${label})` : '';
    throw new InvalidPhotoNameError(
      file,
      `${label} (the name's ${place} field) must be an integer ${min}–${max}, got ${JSON.stringify(snippet(field, 24))}${missing}; ${NAMING}`,
    );
  });
  return { age: age!, gender: gender!, ethnicity: race! };
}
