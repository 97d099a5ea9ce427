/**
 * The measurement window (pure): from when the run is steady to its end. The window's start in ms
 * from the run's start is `holdFromMs` of the RunInput.
 */

/** What the window's start depends on. */
export interface WindowFacts {
  /** A ramp stopped at its knee: the settled start of the knee step, s (null when it had none). */
  knee: { fromS: number | null } | null;
  /** When the warm-up after the last join ended, as observed during the run (ms from the start). */
  warmedUpAtMs: number | null;
  /** Epoch ms at which the last session joined (null: none joined). */
  lastJoinAt: number | null;
  /** Epoch ms when the run started. */
  startedAt: number;
  /** Seconds from the start until the last ramp step was scheduled. */
  rampEndS: number;
  warmupS: number;
}

/**
 * Start of the measurement window, ms from the run's start. A ramp stopped at its knee is measured
 * over its last step's settled part: that is its hold. Otherwise the window opens `warmup` after
 * every session joined (as seen during the run; else from the last join, else from the ramp's end).
 */
export function windowStartMs(f: WindowFacts): number {
  if (f.knee) return (f.knee.fromS ?? 0) * 1000;
  if (f.warmedUpAtMs !== null) return f.warmedUpAtMs;
  const joinedMs = f.lastJoinAt === null ? f.rampEndS * 1000 : f.lastJoinAt - f.startedAt;
  return joinedMs + f.warmupS * 1000;
}

/** Epoch ms at which the last session to join had both its agent and its user in the room. */
export function lastJoinAt(sessions: ReadonlyArray<{ agentJoinedAt: number | null; userJoinedAt: number | null }>): number | null {
  const times = sessions.flatMap((r) => (r.agentJoinedAt !== null && r.userJoinedAt !== null ? [Math.max(r.agentJoinedAt, r.userJoinedAt)] : []));
  return times.length ? Math.max(...times) : null;
}
