/**
 * Every ICE candidate address (local and remote) in a session's WebRTC stats, as returned by
 * rtc-node's Room.getRtcStats(). Walks the plain data, so it does not depend on the stats classes.
 */
export function candidateAddresses(stats: unknown): string[] {
  const found = new Set<string>();
  const visit = (node: unknown, inCandidate: boolean): void => {
    if (Array.isArray(node)) return node.forEach((n) => visit(n, inCandidate));
    if (typeof node !== 'object' || node === null) return;
    const obj = node as Record<string, unknown>;
    const here = inCandidate || obj.case === 'localCandidate' || obj.case === 'remoteCandidate';
    for (const [key, value] of Object.entries(obj)) {
      if (here && (key === 'address' || key === 'relatedAddress') && typeof value === 'string' && value) found.add(value);
      else if (typeof value === 'object') visit(value, here);
    }
  };
  visit(stats, false);
  return [...found].sort();
}

