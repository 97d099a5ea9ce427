/**
 * The hand-computed run input that the results tests share: two sessions, 15 samples, a window
 * from 10 s (see baseInput for the sums by hand). Moved out of results.test.ts so more than one
 * test file can build on it.
 */
import assert from 'node:assert/strict';
import { LatencyHistogram } from '../../harness/results/histogram.js';
import type { HistogramData, RunInput, SessionRecord } from '../../harness/results/types.js';
import type { RoleSample, Sample } from '../../harness/sampling/types.js';

export const MB = 1024 ** 2;
export const GB = 1024 ** 3;
export const START = 1_700_000_000_000;

export function near(actual: number | null | undefined, expected: number, what = ''): void {
  assert.ok(actual != null && Math.abs(actual - expected) < 1e-9, `${what}: ${actual} != ${expected}`);
}


export function hist(values: number[]): HistogramData {
  const h = new LatencyHistogram();
  for (const v of values) h.record(v);
  return h.toData();
}

export function range(from: number, to: number, step = 1): number[] {
  const out: number[] = [];
  for (let i = from; i <= to; i += step) out.push(i);
  return out;
}

/** Relative times (ms after START) -> epoch ms. */
export const at = (xs: number[]): number[] => xs.map((x) => START + x);

export function session(index: number, over: Partial<SessionRecord>): SessionRecord {
  return {
    index, room: `room-${index}`, agentJoinedAt: null, userJoinedAt: null, speech: null, sendEndAt: null,
    vadStarts: [], vadEnds: [], agentAudio: null, publishLate: null, agentPublishLate: null, vadInferMs: null, agentLoopDelay: null, atWindowStart: null, candidateAddrs: [], errors: [],
    ...over,
  };
}

export function role(cpuCores: number, rssBytes: number, pssBytes: number | null): RoleSample {
  return { processes: 1, cpuCores, rssBytes, pssBytes };
}

/**
 * 15 samples, one a second. The window (holdFromMs 10 s) holds the last 5:
 * agents CPU 1..5 (mean 3, p95 4.8), RSS 100..500 MB, PSS 50..90 MB, active sessions 2,2,2,1,1 (mean 1.6).
 * Before the window agents use 9 cores, so leaking them in would show.
 */
export function samples(): Sample[] {
  return range(0, 14).map((i) => {
    const w = i - 10;
    const inWin = w >= 0;
    return {
      t: START + i * 1000,
      elapsedMs: i * 1000,
      activeSessions: inWin ? [2, 2, 2, 1, 1][w] ?? 0 : 0,
      roles: {
        agents: inWin ? role(w + 1, (w + 1) * 100 * MB, (50 + 10 * w) * MB) : role(9, 9 * GB, 9 * GB),
        generator: role(0.5, 50 * MB, 40 * MB),
        server: role(0.25, 30 * MB, w === 2 ? null : 20 * MB),
        harness: role(0.1, 60 * MB, 55 * MB),
      },
      system: { cpuCores: inWin ? 1 : 0.5, memUsedBytes: 2 * GB, memTotalBytes: 8 * GB },
      sampler: { wallMs: i === 3 ? 10 : 2, cpuMs: 1, },
    };
  });
}

/**
 * Two joined sessions; by hand:
 * session 0: agent at +2000 (listens from +3000), sends until +40000 (judged until +38500), t0 +2500.
 *   onsets 5500 12500 15500 22500 25500 32500 35500 (2500 too early, 42500 too late): 7 expected.
 *   VAD 5400 (-100), 12700 (+200), 16700 (too late), 22800 (+300), 22900 (extra), 25550 (+50), 35300 (too early).
 *   4 detected.
 * session 1: agent at +4000 (from +5000), no sendEndAt so judged until endedAt-1500 = +58500, t0 +1000.
 *   onsets 11000 14000 21000 24000 31000 34000 41000 44000 51000 54000: 10 expected.
 *   VAD 11100 (+100), 11200 (extra), 14900 (+900), 21000 (0), 25000 (+1000), 30850 (-150), 41500 (+500),
 *   44400 (+400), 51600 (+600), 54700 (+700): 9 detected.
 * The measurement window opens at +10000 (holdFromMs), so session 0's onset 5500 (lag -100) is not judged:
 * 16 expected, 12 detected.
 * Lags sorted: -150 0 50 100 200 300 400 500 600 700 900 1000, then the 4 misses (> 1000 ms, censored).
 */
export function baseInput(): RunInput {
  const speech = (t0: number): SessionRecord['speech'] => ({ t0: START + t0, loopMs: 10_000 });
  return {
    scenario: 'steady-2', startedAt: START, endedAt: START + 60_000,
    host: { cores: 2, memoryBytes: 4 * GB, hostname: 'h', cpuModel: 'Test CPU', platform: 'linux', kernel: '6.1', node: 'v20' },
    target: { cores: 4, memoryBytes: 8 * GB },
    server: { mode: 'local', version: '1.8.0', url: 'ws://127.0.0.1:7880' },
    network: { mode: 'host', namespace: null, allowedAddrs: [] },
    requestedSessions: 2, holdFromMs: 10_000, toneHz: 440,
    ramp: { step: 2, everyS: 20, settleS: 5 }, marks: [], generatorLoopDelay: [], confinement: null, kneeStop: null,
    segments: [{ startMs: 0, endMs: 1000 }, { startMs: 3000, endMs: 4000 }],
    sessions: [
      session(0, {
        agentJoinedAt: START + 2000, userJoinedAt: START + 1500, speech: speech(2500), sendEndAt: START + 40_000,
        vadStarts: at([2600, 5400, 12700, 16700, 22800, 22900, 25550, 35300]),
        agentAudio: { framesReceived: 990, framesExpected: 1000, gapsOver100ms: 1, maxGapMs: 150, dominantHz: [440, 441, 439] },
        publishLate: hist(range(1, 50).map((i) => i * 0.1)),
        agentPublishLate: hist([0.2, 0.4]),
        vadInferMs: hist([1, 2, 3, 4]),
      }),
      session(1, {
        agentJoinedAt: START + 4000, userJoinedAt: START + 1000, speech: speech(1000),
        vadStarts: at([11100, 11200, 14900, 21000, 25000, 30850, 41500, 44400, 51600, 54700]),
        agentAudio: { framesReceived: 2000, framesExpected: 2000, gapsOver100ms: 0, maxGapMs: 40, dominantHz: [444.9] },
        publishLate: hist(range(51, 100).map((i) => i * 0.1)),
      }),
    ],
    samples: samples(), invalidReasons: [], interrupted: false,
  };
}
