/** Exit codes, documented in the README. */
export const EXIT = {
  ok: 0,
  harnessError: 1,
  badInput: 2,
  invalidRun: 3,
  gateFailed: 99,
  interrupted: 105,
} as const;

/** Bad input from the user: one clear line, exit 2, nothing written. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** The environment cannot run the harness (no server binary, server unreachable, ...): exit 1. */
export class HarnessError extends Error {
  override readonly name = 'HarnessError';
}

/** The run was stopped by a signal before anything was measured: exit 105, nothing to report. */
export class InterruptedError extends Error {
  override readonly name = 'InterruptedError';
}
