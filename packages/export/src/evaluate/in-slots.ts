/**
 * Bounded concurrency for a list of jobs: `slots` at once, taken in order, so a folder of 20,000 photos
 * is read a few files at a time rather than opened all at once. A job may say to stop (a bad photo
 * when none may be skipped); a job that throws stops the rest as well. Jobs already begun finish.
 */

/** `work(i)` for i = 0 … count − 1 in order, `slots` at once; once one returns false or throws, no other begins. */
export async function inSlots(
  count: number,
  slots: number,
  work: (i: number) => Promise<boolean>,
): Promise<void> {
  let next = 0;
  let stop = false;
  const worker = async () => {
    while (!stop && next < count) {
      const i = next++;
      try {
        if (!(await work(i))) stop = true;
      } catch (error) {
        stop = true;
        throw error;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(slots, count) }, worker));
}
