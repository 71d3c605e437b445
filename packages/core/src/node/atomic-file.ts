/**
 * A file written whole or not at all: to a temporary name beside it, then renamed over it, so a
 * reader (a server loading models/, a resumed run reading run.json) never sees half a file. The
 * folder is made if missing; the temporary file is removed if the write fails.
 */
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';

/** A temporary name beside `path`, distinct per process and per call. */
export const temporaryName = (path: string): string =>
  `${path}.tmp-${process.pid}-${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;

export async function writeFileAtomic(path: string, data: Uint8Array | string): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const tmp = temporaryName(path);
  try {
    await writeFile(tmp, data);
    await rename(tmp, path);
  } catch (error) {
    await rm(tmp, { force: true });
    throw error;
  }
}
