/**
 * Folds what the human room recorded into the `human` block of results.json. Pure: the same
 * record always gives the same summary, so every rule here is tested from hand-built records.
 */
import { isLoopback } from '../results/network-check.js';
import { matchOnsets } from '../results/onsets.js';
import { percentile, spread, summary2, summary3, type Spread } from '../results/stats.js';
import type { HumanMode, HumanSlice, HumanSummary } from '../results/human.js';
import type { Alignment } from './align.js';
import type { HumanLine } from './types.js';
import { dbfs } from './webrtc-stats.js';
import { pssBasisWords } from '../results/pss-basis.js';

/** Onsets this soon after the agent began listening are not judged: its VAD state is still settling. */
const LISTEN_SETTLE_MS = 1000;
/** Onsets this close to the end of the capture are not judged: a detection could come after the page left. */
const JUDGE_BEFORE_END_MS = 1500;
/** Capture timestamps on the page clock reach the script within this window after capture (ms). */
const CAPTURE_DELAY_OK = { min: -5, max: 500 };
/** Width of the overTime slices. */
const SLICE_S = 10;

/** Everything the human room gathered during a run. */
export interface HumanRecord {
  mode: HumanMode;
  lines: HumanLine[];
  joinedAt: number | null;
  firstAudioAt: number | null;
  /** When the agent subscribed to the page's microphone, and its VAD start events (epoch ms, agent clock). */
  agentListeningAt: number | null;
  agentVadStarts: number[];
  /** Epoch ms of the last envelope the page captured (the end of the probe's speech). */
  captureEndAt: number | null;
  dataMessages: number;
  dataStarts: number;
  alignment: Alignment | null;
  /** How long after its capture timestamp each envelope chunk reached the page script, ms. */
  captureDelayMs: number[];
  /** Peak of the agent's sine, full scale 1. */
  toneAmplitude: number;
  browser: { version: string | null; args: string[] } | null;
  candidateAddrs: string[];
  selectedPair: string | null;
  requestHosts: string[];
  allowedAddrs: string[];
  errors: string[];
}

function defined(xs: readonly (number | null)[]): number[] {
  return xs.filter((x): x is number => x !== null);
}

/** Concealed share, loss and level over many seconds: sums of the counters, not a mean of ratios. */
function pooled(lines: readonly HumanLine[]): Pick<HumanSlice, 'levelDbfs' | 'concealedPct' | 'lossPct'> {
  let samples = 0, concealed = 0, lost = 0, due = 0, energy = 0, duration = 0;
  for (const l of lines) {
    samples += l.samplesReceived;
    concealed += l.concealedSamples;
    lost += l.packetsLost;
    due += l.packetsReceived + l.packetsLost;
    // Weighting each second's mean square by its length gives the mean square of the whole.
    if (l.energyMeanSquare !== null) {
      energy += l.energyMeanSquare * l.intervalS;
      duration += l.intervalS;
    }
  }
  return {
    levelDbfs: duration > 0 ? dbfs(energy / duration) : null,
    concealedPct: samples > 0 ? (100 * concealed) / samples : null,
    lossPct: due > 0 ? (100 * lost) / due : null,
  };
}

/** An onset's lag with the second it fell in. */
interface Lagged { at: number; lagMs: number }

function slice(lines: readonly HumanLine[], lags: readonly Lagged[], activeSessions: number): HumanSlice {
  const ls = lags.map((l) => l.lagMs);
  return {
    fromS: lines[0]?.elapsedS ?? 0,
    toS: lines[lines.length - 1]?.elapsedS ?? 0,
    activeSessions,
    seconds: lines.length,
    ...pooled(lines),
    jitterMsP95: percentile(lines.map((l) => l.jitterMs), 95),
    rttMsP95: percentile(defined(lines.map((l) => l.rttMs)), 95),
    onsetLagMs: { ...spread(ls), n: ls.length },
  };
}

/** The line whose second contains epoch ms `at` (the first line ending at or after it). */
function lineAt(lines: readonly HumanLine[], at: number): HumanLine | undefined {
  return lines.find((l) => l.at >= at) ?? undefined;
}

/** Matches the probe's aligned onsets with the agent's VAD starts; null lags for a person (no ground truth). */
function onsetLags(r: HumanRecord, usable: boolean): { expected: number[]; lags: Lagged[] } {
  if (!r.alignment || !usable || r.agentListeningAt === null || r.captureEndAt === null) return { expected: [], lags: [] };
  const from = r.agentListeningAt + LISTEN_SETTLE_MS;
  const to = r.captureEndAt - JUDGE_BEFORE_END_MS;
  const expected = r.alignment.onsets.map((o) => o.at).filter((at) => at >= from && at <= to).sort((a, b) => a - b);
  // matchOnsets is greedy in onset order, so onset i was matched exactly when the prefix up to it matched one more.
  const lags: Lagged[] = [];
  let before = 0;
  expected.forEach((at, i) => {
    const upTo = matchOnsets(expected.slice(0, i + 1), r.agentVadStarts);
    if (upTo.length > before) lags.push({ at, lagMs: upTo[upTo.length - 1]! });
    before = upTo.length;
  });
  return { expected, lags };
}

function byLoad(lines: readonly HumanLine[], lags: readonly Lagged[]): HumanSlice[] {
  const levels = [...new Set(lines.map((l) => l.activeSessions))].sort((a, b) => a - b);
  return levels.map((n) => slice(
    lines.filter((l) => l.activeSessions === n),
    lags.filter((g) => lineAt(lines, g.at)?.activeSessions === n),
    n,
  ));
}

function overTime(lines: readonly HumanLine[], lags: readonly Lagged[]): HumanSlice[] {
  const out: HumanSlice[] = [];
  const buckets = new Map<number, HumanLine[]>();
  for (const l of lines) {
    const k = Math.floor(l.elapsedS / SLICE_S);
    buckets.set(k, [...(buckets.get(k) ?? []), l]);
  }
  for (const [, ls] of [...buckets.entries()].sort((a, b) => a[0] - b[0])) {
    const first = ls[0]!;
    const last = ls[ls.length - 1]!;
    const inside = lags.filter((g) => g.at > first.at - first.intervalS * 1000 && g.at <= last.at);
    out.push(slice(ls, inside, Math.max(...ls.map((l) => l.activeSessions))));
  }
  return out;
}

function foreignAddrs(r: HumanRecord): string[] {
  const ok = (a: string) => isLoopback(a) || a === 'localhost' || r.allowedAddrs.includes(a);
  return [...new Set([...r.candidateAddrs, ...r.requestHosts])].filter((a) => !ok(a)).sort();
}

const BASIS: Record<HumanMode, string> = {
  probe: 'measured on this host: headless Chromium\'s WebRTC stats for the agent\'s track, read once a second; ' +
    'onset lag is the agent\'s VAD decision time minus the time Chromium captured the onset, both epoch ms on this host\'s clock',
  human: 'measured on this host: the browser\'s WebRTC stats for the agent\'s track, read once a second by the page the person opened',
};

/** The `human` block of results.json. */
export function summarizeHuman(r: HumanRecord): HumanSummary {
  const lines = r.lines;
  const delayP50 = percentile(r.captureDelayMs, 50);
  const usable = delayP50 !== null && delayP50 >= CAPTURE_DELAY_OK.min && delayP50 <= CAPTURE_DELAY_OK.max;
  const { expected, lags } = onsetLags(r, usable);
  const lagMs = lags.map((l) => l.lagMs);
  const a = r.alignment;
  // Seconds before the browser was up (no process yet) say nothing about its cost.
  const up = lines.flatMap((l) => (l.browser && l.browser.processes > 0 ? [l.browser] : []));
  const cpu = up.map((b) => b.cpuCores);
  const rss = up.map((b) => b.rssBytes);
  const pss = up.map((b) => b.pssBytes);
  return {
    mode: r.mode,
    basis: BASIS[r.mode] + pssBasisWords(up, "the browser's"),
    joinedAt: r.joinedAt,
    firstAudioAt: r.firstAudioAt,
    seconds: lines.length,
    heard: {
      ...(({ levelDbfs, concealedPct, lossPct }) => ({ levelDbfs, concealedPct, lossPct }))(pooled(lines)),
      sentLevelDbfs: 20 * Math.log10(r.toneAmplitude),
      samplesReceived: lines.reduce((s, l) => s + l.samplesReceived, 0),
      concealmentEvents: lines.reduce((s, l) => s + l.concealmentEvents, 0),
      packetsLost: lines.reduce((s, l) => s + l.packetsLost, 0),
      jitterMs: spread(lines.map((l) => l.jitterMs)),
      rttMs: spread(defined(lines.map((l) => l.rttMs))),
      jitterBufferMs: spread(defined(lines.map((l) => l.jitterBufferMs))),
    },
    vad: {
      dataMessages: r.dataMessages,
      dataStarts: r.dataStarts,
      agentStarts: r.agentVadStarts.length,
      segmentsExpected: expected.length,
      segmentsDetected: lags.length,
      onsetLagMs: spread(lagMs),
      alignment: a && {
        stepMs: a.stepMs,
        coarseScore: a.coarseScore,
        onsetsFound: a.onsets.length,
        missed: a.missed,
        loopPeriodMs: a.loopPeriodMs,
        captureDelayMsP50: delayP50,
        usable,
        uncertainty: `onsets placed to one ${a.stepMs} ms envelope step on Chromium's capture timestamps; ` +
          'page and agent clocks are the same host clock (each process\'s performance.timeOrigin), skew not measured',
      },
    },
    byLoad: byLoad(lines, lags),
    overTime: overTime(lines, lags),
    browser: r.browser && {
      ...r.browser,
      cpuCores: summary3(cpu),
      rssBytes: summary2(rss),
      pssBytes: pss.every((p): p is number => p !== null) ? summary2(pss) : null,
    },
    network: { candidateAddresses: [...r.candidateAddrs].sort(), selectedPair: r.selectedPair, requestHosts: [...r.requestHosts].sort(), foreign: foreignAddrs(r) },
    errors: [...r.errors],
  };
}
