/**
 * A log line for anything app code threw, which never throws itself: a thrown value may be a Proxy,
 * an object whose `stack` getter or `toString()` throws, or a null-prototype object.
 */
export function describeThrown(error: unknown): string {
  try {
    if (error instanceof Error && typeof error.stack === 'string') return error.stack;
  } catch {
    // A getter or trap threw: fall through to the plainer descriptions.
  }
  try {
    return String(error);
  } catch {
    try {
      return `a thrown ${Object.prototype.toString.call(error)} that cannot be described`;
    } catch {
      return 'a thrown value that cannot be described';
    }
  }
}
