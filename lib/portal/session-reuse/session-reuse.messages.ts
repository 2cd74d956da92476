/** Wording of session-reuse errors and log lines, in one place. None may carry a token or URL. */
export const SESSION_REUSE_MESSAGES = {
  storeFailed: (operation: string, error: unknown) =>
    `Portal session store ${operation} failed (${error instanceof Error ? error.name : typeof error}); asking Polar instead.`,
} as const;
