import type { RunInput } from './types.js';

/** True for 127.0.0.0/8 and ::1. */
export function isLoopback(addr: string): boolean {
  return addr === '::1' || /^127\.\d+\.\d+\.\d+$/.test(addr);
}

/** Every ICE candidate address any session reported, sorted. */
export function candidateUnion(input: RunInput): string[] {
  return [...new Set(input.sessions.flatMap((s) => s.candidateAddrs))].sort();
}

/**
 * The network rule: with a local server, media may only use loopback or the private namespace's
 * own addresses. Returns the reason the run breaks it, or null. External servers are not judged.
 */
export function networkViolation(input: RunInput): string | null {
  if (input.network.mode === 'external') return null;
  const foreign = candidateUnion(input).filter((a) => !isLoopback(a) && !input.network.allowedAddrs.includes(a));
  return foreign.length === 0 ? null : `media used addresses outside loopback and the private namespace: ${foreign.join(', ')}`;
}
