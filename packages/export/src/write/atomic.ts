/**
 * Atomic file and folder writes (temp name in the same folder, then rename): an interrupted export
 * leaves either the previous file or the new one, never half a model that a server would load.
 */
import { mkdir, rename, rm, writeFile, cp } from 'node:fs/promises';
import { dirname } from 'node:path';

const tmpName = (path: string) => `${path}.tmp-${process.pid}-${Date.now().toString(36)}`;

export async function writeFileAtomic(path: string, data: Uint8Array | string): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const tmp = tmpName(path);
  try {
    await writeFile(tmp, data);
    await rename(tmp, path);
  } catch (error) {
    await rm(tmp, { force: true });
    throw error;
  }
}

/** Copies folder `from` to `to`, replacing `to` only once the copy is complete. */
export async function copyDirAtomic(from: string, to: string): Promise<void> {
  await mkdir(dirname(to), { recursive: true });
  const tmp = tmpName(to);
  const old = `${tmp}.old`;
  try {
    await cp(from, tmp, { recursive: true });
    const moved = await rename(to, old).then(
      () => true,
      (error: NodeJS.ErrnoException) => {
        if (error.code !== 'ENOENT') throw error;
        return false;
      },
    );
    await swapIn(tmp, to, moved ? old : undefined);
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
}

/**
 * Renames `staged` to `path`, whose previous content was moved to `old` (when there was one): removed
 * once the new one is in, put back if it cannot be. Never deleted otherwise — should putting it back
 * fail too, the error says where it is.
 */
export async function swapIn(staged: string, path: string, old: string | undefined): Promise<void> {
  try {
    await rename(staged, path);
  } catch (error) {
    if (old !== undefined)
      await rename(old, path).catch((restore: unknown) => {
        throw new Error(`could not put ${path} back after a failed write; the previous one is at ${old}`, {
          cause: restore,
        });
      });
    throw error;
  }
  if (old !== undefined) await rm(old, { recursive: true, force: true });
}
