/**
 * Which speech onsets an agent should have detected, and how late it detected them.
 * Pure: the rules for judging the VAD, in one place.
 */
import { percentile } from './stats.js';
import type { OnsetLag, RunInput, SessionRecord } from './types.js';

/** Onsets earlier than this after the agent joined are skipped: it may not be listening yet. */
const LISTEN_AFTER_JOIN_MS = 1000;
/** Onsets this close to the end of sending are skipped: too late for a detection to be judged. */
const JUDGE_BEFORE_END_MS = 1500;
/** A VAD start may come this much before the expected onset (clock skew, pre-roll)... */
const MATCH_EARLY_MS = 150;
/** ...or up to this much after it. */
const MATCH_LATE_MS = 1000;

/**
 * Segment onsets (epoch ms, ascending) the agent should have detected in one session, from
 * `windowFrom` until `JUDGE_BEFORE_END_MS` before the user stopped sending or the window ended.
 */
export function expectedOnsets(s: SessionRecord, segments: RunInput['segments'], endedAt: number, windowFrom = -Infinity, windowTo = Infinity): number[] {
  if (s.speech === null || s.agentJoinedAt === null) return [];
  const { t0, loopMs } = s.speech;
  const from = Math.max(s.agentJoinedAt + LISTEN_AFTER_JOIN_MS, windowFrom);
  const to = Math.min(s.sendEndAt ?? endedAt, windowTo) - JUDGE_BEFORE_END_MS;
  const onsets: number[] = [];
  // A non-positive loop length would never end; treat it as a single pass.
  const loops = loopMs > 0 ? Math.max(0, Math.floor((to - t0) / loopMs) + 1) : 1;
  for (let k = 0; k < loops; k++) {
    for (const seg of segments) {
      const at = t0 + k * loopMs + seg.startMs;
      if (at >= from && at <= to) onsets.push(at);
    }
  }
  return onsets.sort((a, b) => a - b);
}

/** Matches each onset to the first unused VAD start within its tolerance; returns the lags, ms. */
export function matchOnsets(onsets: readonly number[], vadStarts: readonly number[]): number[] {
  const starts = [...vadStarts].sort((a, b) => a - b);
  const used = new Array<boolean>(starts.length).fill(false);
  const lags: number[] = [];
  for (const onset of onsets) {
    const i = starts.findIndex((v, j) => !used[j] && v >= onset - MATCH_EARLY_MS && v <= onset + MATCH_LATE_MS);
    if (i < 0) continue;
    used[i] = true;
    lags.push((starts[i] as number) - onset);
  }
  return lags;
}


/**
 * p50 and p95 of the onset lag over all `expected` onsets, the missed ones (expected − lags)
 * counted as later than 1000 ms (censored), so misses raise the percentiles instead of dropping
 * out: with more than 5 % missed, p95 is "> 1000 ms". A censored percentile is reported as 1000.
 */
export function onsetLagPercentiles(lags: readonly number[], expected: number): OnsetLag {
  const missed = Math.max(0, expected - lags.length);
  const all = [...lags, ...new Array<number>(missed).fill(Infinity)];
  const at = (p: number): { v: number | null; c: boolean } => {
    const v = percentile(all, p);
    return v === null ? { v: null, c: false } : Number.isFinite(v) ? { v, c: false } : { v: MATCH_LATE_MS, c: true };
  };
  const p50 = at(50);
  const p95 = at(95);
  return { p50: p50.v, p95: p95.v, p50Censored: p50.c, p95Censored: p95.c };
}
