import { waitFor } from '../common/wait.js';
import type { SessionRecord } from '../results/types.js';

const JOIN_TIMEOUT_MS = 45_000;
/** How often agents and users report their cumulative stats. */
export const STATS_EVERY_MS = 2_000;

/** Waits for a session's agent and user to join; a timeout is recorded against the session and warned about. */
export async function awaitJoin(rec: SessionRecord, signal: AbortSignal, warn: (message: string) => void): Promise<boolean> {
  const joined = await waitFor(() => rec.agentJoinedAt !== null && rec.userJoinedAt !== null, JOIN_TIMEOUT_MS, signal);
  if (!joined && !signal.aborted) {
    const who = [rec.agentJoinedAt === null ? 'agent' : '', rec.userJoinedAt === null ? 'user' : ''].filter(Boolean).join(' and ');
    rec.errors.push(`${who} did not join within ${JOIN_TIMEOUT_MS / 1000} s`);
    warn(`session ${rec.index}: ${who} did not join within ${JOIN_TIMEOUT_MS / 1000} s`);
  }
  return joined;
}
