/**
 * Which speech onsets an agent should have detected, and how late it detected them.
 * Pure: the rules for judging the VAD, in one place.
 */
import type { RunInput, SessionRecord } from './types.js';

/** Onsets earlier than this after the agent joined are skipped: it may not be listening yet. */
const LISTEN_AFTER_JOIN_MS = 1000;
/** Onsets this close to the end of sending are skipped: too late for a detection to be judged. */
const JUDGE_BEFORE_END_MS = 1500;
/** A VAD start may come this much before the expected onset (clock skew, pre-roll)... */
const MATCH_EARLY_MS = 150;
/** ...or up to this much after it. */
const MATCH_LATE_MS = 1000;

/** Segment onsets (epoch ms, ascending) the agent should have detected in one session. */
export function expectedOnsets(s: SessionRecord, segments: RunInput['segments'], endedAt: number, windowFrom = -Infinity): number[] {
  if (s.speech === null || s.agentJoinedAt === null) return [];
  const { t0, loopMs } = s.speech;
  const from = Math.max(s.agentJoinedAt + LISTEN_AFTER_JOIN_MS, windowFrom);
  const to = (s.sendEndAt ?? endedAt) - JUDGE_BEFORE_END_MS;
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

