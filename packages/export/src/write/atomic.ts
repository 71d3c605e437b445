/**
 * Atomic folder writes (a copy under a temporary name in the same folder, then renamed), beside core's
 * atomic file write: an interrupted export leaves either the previous folder or the new one, never
 * half a model that a server would load.
 */
import { cp, mkdir, rename, rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import { temporaryName } from '@facekit/core/node';

/** Copies folder `from` to `to`, replacing `to` only once the copy is complete. */
export async function copyDirAtomic(from: string, to: string): Promise<void> {
  await mkdir(dirname(to), { recursive: true });
  const tmp = temporaryName(to);
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
