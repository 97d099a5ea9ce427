/**
 * terminationGracePeriodSeconds: on SIGTERM a LiveKit worker drains — it stops taking jobs and
 * waits for its sessions to end — and Kubernetes kills it when the grace period is over. So the
 * period must cover the longest sessions (p99, `--session-length`) plus time to close.
 */
import { seconds } from '../format.js';
import type { Recommendation } from '../types.js';

/** Time after the last session ends for the worker to close its connections and exit. */
export const SHUTDOWN_MARGIN_S = 30;
/** @livekit/agents 1.9's default drainTimeout (60 min): past it the worker stops waiting on its own. */
export const AGENTS_DRAIN_TIMEOUT_S = 3600;

/** The grace period for a p99 session length of `sessionLengthS`. */
export function gracePeriodFor(sessionLengthS: number): number {
  return Math.ceil(sessionLengthS) + SHUTDOWN_MARGIN_S;
}

/** The terminationGracePeriodSeconds recommendation (from the inputs, not from the run). */
export function graceRec(sessionLengthS: number): Recommendation {
  const g = gracePeriodFor(sessionLengthS);
  const drain = g > AGENTS_DRAIN_TIMEOUT_S
    ? `; raise the worker's drainTimeout above ${g} s too (default ${AGENTS_DRAIN_TIMEOUT_S} s)`
    : `; the worker's own drainTimeout (${AGENTS_DRAIN_TIMEOUT_S} s by default) is longer, so this is what ends the drain`;
  return {
    key: 'terminationGracePeriodSeconds',
    label: 'terminationGracePeriodSeconds',
    value: g,
    unit: 's',
    kind: 'extrapolated',
    source: 'inputs',
    why: `a draining worker keeps its sessions until they end: the p99 session (${seconds(sessionLengthS)}) + ${SHUTDOWN_MARGIN_S} s to close; ` +
      `shorter cuts the longest calls off mid-sentence${drain}`,
    inputs: { sessionLengthP99S: sessionLengthS, sessionLengthSource: '--session-length (default 10 min)', shutdownMarginS: SHUTDOWN_MARGIN_S },
  };
}
