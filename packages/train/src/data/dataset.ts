/**
 * The in-memory dataset: every face's 2304 grey levels in one Uint8Array (≈46 MB for the real file,
 * not 20,000 arrays of numbers) and the labels in parallel byte arrays. Batches are gathered from it
 * by index; nothing else holds a copy of the pixels.
 */
import { PIXEL_COUNT } from '@facekit/core';

export interface FaceDataset {
  readonly size: number;
  /** size × 2304 grey levels, row-major per face. */
  readonly pixels: Uint8Array;
  readonly age: Uint8Array;
  readonly ethnicity: Uint8Array;
  readonly gender: Uint8Array;
  /** The CSV line each row came from (1-based, the header is line 1). */
  readonly line: Uint32Array;
}

/** Accumulates rows into doubling typed arrays, then trims them into a FaceDataset. */
export class DatasetBuilder {
  private capacity = 1024;
  private count = 0;
  private pixels = new Uint8Array(this.capacity * PIXEL_COUNT);
  private age = new Uint8Array(this.capacity);
  private ethnicity = new Uint8Array(this.capacity);
  private gender = new Uint8Array(this.capacity);
  private line = new Uint32Array(this.capacity);

  get size(): number {
    return this.count;
  }

  /** A view where the next row's pixels are to be written before `commit`. */
  nextPixels(): Uint8Array {
    if (this.count === this.capacity) this.grow();
    return this.pixels.subarray(this.count * PIXEL_COUNT, (this.count + 1) * PIXEL_COUNT);
  }

  commit(age: number, ethnicity: number, gender: number, line: number): void {
    this.age[this.count] = age;
    this.ethnicity[this.count] = ethnicity;
    this.gender[this.count] = gender;
    this.line[this.count] = line;
    this.count++;
  }

  build(): FaceDataset {
    const n = this.count;
    return {
      size: n,
      pixels: this.pixels.slice(0, n * PIXEL_COUNT),
      age: this.age.slice(0, n),
      ethnicity: this.ethnicity.slice(0, n),
      gender: this.gender.slice(0, n),
      line: this.line.slice(0, n),
    };
  }

  private grow(): void {
    this.capacity *= 2;
    const grow = <T extends Uint8Array | Uint32Array>(old: T, make: (n: number) => T, width = 1): T => {
      const next = make(this.capacity * width);
      next.set(old);
      return next;
    };
    this.pixels = grow(this.pixels, (n) => new Uint8Array(n), PIXEL_COUNT);
    this.age = grow(this.age, (n) => new Uint8Array(n));
    this.ethnicity = grow(this.ethnicity, (n) => new Uint8Array(n));
    this.gender = grow(this.gender, (n) => new Uint8Array(n));
    this.line = grow(this.line, (n) => new Uint32Array(n));
  }
}

/** The pixels of row `i` as a view (no copy). */
export function facePixels(dataset: FaceDataset, i: number): Uint8Array {
  return dataset.pixels.subarray(i * PIXEL_COUNT, (i + 1) * PIXEL_COUNT);
}
