/**
 * One deadline for every await on something outside the process that has no timeout of its own
 * (a shared store, the app's resolver and guards). The timer is cleared as soon as the work
 * settles and never keeps the process alive (`unref`), so nothing is left behind either way.
 */

/** Something outside the process did not settle in time. Its message names the call, never a value. */
export class PolarDeadlineError extends Error {
  constructor(
    /** What was waited for, e.g. `webhooks.dedupe.store claim`. */
    readonly call: string,
    /** The deadline, in milliseconds. */
    readonly deadlineMs: number,
  ) {
    super(`${call} did not settle within ${deadlineMs} ms`);
    this.name = 'PolarDeadlineError';
  }
}

/**
 * Runs `work` (synchronously, so its side effects start at once) and settles with it, or rejects
 * with a `PolarDeadlineError` naming `call` after `deadlineMs`. A synchronous throw rejects too.
 * The work itself cannot be cancelled: a late result is dropped, a late rejection is swallowed.
 */
export function withinDeadline<T>(call: string, deadlineMs: number, work: () => T | PromiseLike<T>): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new PolarDeadlineError(call, deadlineMs)), deadlineMs);
    timer.unref();
    let pending: T | PromiseLike<T>;
    try {
      pending = work();
    } catch (error) {
      clearTimeout(timer);
      reject(error);
      return;
    }
    Promise.resolve(pending).then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error);
      },
    );
  });
}
