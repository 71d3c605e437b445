/**
 * The photos a folder holds, as every command that reads a folder of them takes them (`pnpm classify`,
 * `pnpm evaluate --photos`): the PNG, JPEG and WebP files directly in it, by extension in any letter
 * case, in byte order of their names (as `LC_ALL=C ls`); hidden files (macOS's `._*` companions among
 * them) and other files are passed over and counted, and so are subfolders, which are not read.
 */
import type { Stats } from 'node:fs';
import { readdir } from 'node:fs/promises';

/** The files read as photos: PNG, JPEG and WebP by their extension, any letter case. */
export const PHOTO_EXTENSION = /\.(png|jpe?g|webp)$/i;

export interface FolderPhotos {
  /** The photos' names (no folder), in byte order. */
  readonly names: string[];
  /** Entries not read: other files (other extensions, hidden ones) and subfolders. */
  readonly ignored: { readonly files: number; readonly folders: number };
}

export async function folderPhotos(dir: string): Promise<FolderPhotos> {
  const names: string[] = [];
  const ignored = { files: 0, folders: 0 };
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    if (entry.isDirectory()) ignored.folders++;
    else if (!entry.name.startsWith('.') && PHOTO_EXTENSION.test(entry.name)) names.push(entry.name);
    else ignored.files++;
  }
  names.sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
  return { names, ignored };
}

/**
 * What a path named as a photo is when it is neither a file nor a folder (a named pipe, a device, a
 * socket), in words; undefined for a file or a folder. Such a path is refused before it is read:
 * opening a named pipe waits for a writer that may never come, and reading a device such as /dev/zero
 * never ends. A folder is left to its reader (a folder named as a photo fails as EISDIR, naming it).
 */
export function notAFile(stats: Stats): string | undefined {
  if (stats.isFIFO()) return 'a named pipe (FIFO)';
  if (stats.isCharacterDevice()) return 'a character device';
  if (stats.isBlockDevice()) return 'a block device';
  if (stats.isSocket()) return 'a socket';
  return undefined;
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

/** What a folder holds besides photos, in words ("" when nothing). */
export function ignoredEntries({ files, folders }: FolderPhotos['ignored']): string {
  return [
    files > 0 ? `${plural(files, 'other file')} (not PNG, JPEG or WebP by name, or hidden)` : '',
    folders > 0 ? `${plural(folders, 'subfolder')} (not read)` : '',
  ]
    .filter(Boolean)
    .join(' and ');
}
