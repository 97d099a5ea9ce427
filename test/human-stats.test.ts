/**
 * The human room's pure parts: reading getStats() reports, per-second deltas, and the summary
 * (pooled figures, onset lags against hand-placed onsets, the load ramp), all with hand values.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Alignment } from '../harness/human/align.js';
import { humanSection } from '../harness/report/human-md.js';
import { summarizeHuman, type HumanRecord } from '../harness/human/summary.js';
import type { HumanLine } from '../harness/human/types.js';
import { dbfs, secondRow, snapshotFromStats, type StatLike, type StatsSnapshot } from '../harness/human/webrtc-stats.js';

/** A receiver's report as Chrome gives it (only the fields read, plus noise). */
function receiverReport(over: Partial<Record<string, number>> = {}): StatLike[] {
  return [
    { id: 'T1', type: 'transport', selectedCandidatePairId: 'CP2' },
    { id: 'CP1', type: 'candidate-pair', localCandidateId: 'L1', remoteCandidateId: 'R1', nominated: false, state: 'failed', currentRoundTripTime: 0.5 },
    { id: 'CP2', type: 'candidate-pair', localCandidateId: 'L2', remoteCandidateId: 'R2', nominated: true, state: 'succeeded', currentRoundTripTime: 0.004 },
    { id: 'L1', type: 'local-candidate', address: '198.18.0.2', protocol: 'udp', candidateType: 'host' },
    { id: 'L2', type: 'local-candidate', address: '198.18.0.1', protocol: 'udp', candidateType: 'host' },
    { id: 'R1', type: 'remote-candidate', ip: '127.0.0.1', candidateType: 'host' },
    { id: 'R2', type: 'remote-candidate', candidateType: 'prflx' },
    { id: 'V1', type: 'inbound-rtp', kind: 'video', packetsReceived: 999 },
    {
      id: 'A1', type: 'inbound-rtp', kind: 'audio', packetsReceived: 100, packetsLost: 2, jitter: 0.003,
      concealedSamples: 480, silentConcealedSamples: 0, concealmentEvents: 1, totalAudioEnergy: 0.9,
      totalSamplesDuration: 10, totalSamplesReceived: 480_000, jitterBufferDelay: 30, jitterBufferEmittedCount: 480_000, ...over,
    },
  ];
}

test('snapshotFromStats reads the audio inbound, the selected pair and every candidate address', () => {
  const s = snapshotFromStats(1000, receiverReport(), [{ id: 'X', type: 'local-candidate', address: '198.18.0.2' }]);
  assert.equal(s.inbound?.packetsReceived, 100);
  assert.equal(s.inbound?.jitterS, 0.003);
  assert.equal(s.rttMs, 4);
  assert.deepEqual(s.pair, { local: '198.18.0.1', remote: '', protocol: 'udp', localType: 'host', remoteType: 'prflx' });
  assert.deepEqual(s.candidateAddrs, ['127.0.0.1', '198.18.0.1', '198.18.0.2']);
  // Without a transport entry, the nominated succeeded pair is the selected one.
  const noTransport = receiverReport().filter((x) => x.type !== 'transport');
  assert.equal(snapshotFromStats(0, noTransport).rttMs, 4);
  assert.deepEqual(snapshotFromStats(0, []), { at: 0, inbound: null, rttMs: null, pair: null, candidateAddrs: [] });
});

test('secondRow turns two snapshots into one second of figures', () => {
  const a = snapshotFromStats(1000, receiverReport());
  const b = snapshotFromStats(2000, receiverReport({
    packetsReceived: 148, packetsLost: 4, concealedSamples: 960, concealmentEvents: 2, totalAudioEnergy: 0.99,
    totalSamplesDuration: 11, totalSamplesReceived: 528_000, jitterBufferDelay: 32.4, jitterBufferEmittedCount: 528_000,
  }));
  const row = secondRow(a, b);
  assert.ok(row);
  assert.equal(row.intervalS, 1);
  assert.equal(row.packetsReceived, 48);
  assert.equal(row.packetsLost, 2);
  assert.equal(row.lossPct, 4); // 2 of 50 due
  assert.equal(row.samplesReceived, 48_000);
  assert.equal(row.concealedPct, 1); // 480 of 48 000
  assert.equal(row.concealmentEvents, 1);
  assert.ok(Math.abs(row.energyMeanSquare! - 0.09) < 1e-12); // 0.09 energy over 1 s
  assert.ok(Math.abs(row.levelDbfs! - 20 * Math.log10(0.3)) < 1e-9);
  assert.ok(Math.abs(row.jitterBufferMs! - 0.05) < 1e-9); // 2.4 s over 48 000 samples
  assert.equal(row.jitterMs, 3);
  assert.equal(row.rttMs, 4);
});

test('secondRow gives nothing before audio, backwards in time, or after the counters restart', () => {
  const a = snapshotFromStats(1000, receiverReport());
  const none = snapshotFromStats(2000, []);
  assert.equal(secondRow(null, a), null);
  assert.equal(secondRow(none, a), null);
  assert.equal(secondRow(a, none), null);
  assert.equal(secondRow(a, { ...a, at: 900 }), null);
  assert.equal(secondRow(a, snapshotFromStats(2000, receiverReport({ totalSamplesReceived: 10 }))), null);
  assert.equal(dbfs(0), null);
  assert.equal(dbfs(1), 0);
});

function line(elapsedS: number, activeSessions: number, over: Partial<HumanLine> = {}): HumanLine {
  return {
    at: 10_000 + elapsedS * 1000, intervalS: 1, jitterMs: elapsedS, packetsReceived: 50, packetsLost: 0, lossPct: 0,
    samplesReceived: 48_000, concealedSamples: 0, silentConcealedSamples: 0, concealmentEvents: 0, concealedPct: 0,
    energyMeanSquare: 0.09, levelDbfs: dbfs(0.09), jitterBufferMs: 60, rttMs: 2, elapsedS, activeSessions, vadMessages: 0,
    browser: { processes: 10, cpuCores: 0.2, rssBytes: 1e9, pssBytes: 4e8 }, agent: null, ...over,
  };
}

function record(over: Partial<HumanRecord> = {}): HumanRecord {
  return {
    mode: 'probe', lines: [], joinedAt: 10_000, firstAudioAt: 10_500, agentListeningAt: 10_000, agentVadStarts: [],
    captureEndAt: 30_000, dataMessages: 0, dataStarts: 0, alignment: null, captureDelayMs: [0.5, 0.6, 0.7], toneAmplitude: 0.3,
    browser: { version: '156', args: ['--headless'] }, candidateAddrs: ['198.18.0.1'], selectedPair: null,
    requestHosts: ['127.0.0.1'], allowedAddrs: ['198.18.0.1', '198.18.0.2'], errors: [], ...over,
  };
}

function alignment(onsets: number[]): Alignment {
  return { onsets: onsets.map((at, i) => ({ segment: i % 5, loop: 0, at, score: 0.99 })), stepMs: 2.5, coarseScore: 0.99, missed: 0, loopPeriodMs: 15_535 };
}

test('pooled figures sum the counters: concealment and loss over all seconds, level from energy', () => {
  const s = summarizeHuman(record({
    lines: [
      line(1, 2, { concealedSamples: 960, packetsLost: 2, energyMeanSquare: 0.09 }),
      line(2, 2, { energyMeanSquare: 0.01, samplesReceived: 0 }),
    ],
  }));
  assert.equal(s.heard.concealedPct, 2); // 960 of the 48 000 samples received (the second line received none)
  assert.equal(s.heard.lossPct, 200 / 102); // 2 lost of (50 + 2) + (50 + 0) due
  assert.equal(s.heard.samplesReceived, 48_000);
  assert.ok(Math.abs(s.heard.levelDbfs! - dbfs(0.05)!) < 1e-9);
  assert.ok(Math.abs(s.heard.sentLevelDbfs - 20 * Math.log10(0.3)) < 1e-9);
  assert.deepEqual(s.heard.jitterMs, { p50: 1.5, p95: 1.95, max: 2 });
  assert.equal(s.browser?.cpuCores?.mean, 0.2);
  assert.equal(s.seconds, 2);
});

test("the browser's cost counts only seconds when it was up", () => {
  const s = summarizeHuman(record({
    lines: [line(1, 2, { browser: { processes: 0, cpuCores: 0, rssBytes: 0, pssBytes: 0 } }), line(2, 2), line(3, 2, { browser: null })],
  }));
  assert.deepEqual(s.browser?.cpuCores, { mean: 0.2, p95: 0.2, max: 0.2 });
  assert.deepEqual(s.browser?.pssBytes, { mean: 4e8, max: 4e8 });
  assert.doesNotMatch(s.basis, /PSS:/, 'no sample says it estimated PSS');
});

test("the basis says how much of the browser's PSS was estimated between reads", () => {
  const s = summarizeHuman(record({ lines: [line(1, 2, { browser: { processes: 10, cpuCores: 0.2, rssBytes: 1e9, pssBytes: 4e8, pssEstimated: 8 } })] }));
  assert.match(s.basis, /; PSS: 20 % of the browser's 10 process readings were read from smaps_rollup/);
});

test('onset lags: each aligned onset after the agent settled, matched to the first VAD start after it', () => {
  // Listening from 10 000; onsets before 11 000 and after captureEnd − 1500 = 28 500 are not judged.
  const onsets = [10_500, 12_000, 15_000, 18_000, 21_000, 29_000];
  const starts = [10_700, 12_150, 15_300, 21_180, 29_100];
  const lines = Array.from({ length: 20 }, (_, i) => line(i + 1, i < 8 ? 1 : 2));
  const s = summarizeHuman(record({ lines, alignment: alignment(onsets), agentVadStarts: starts }));
  assert.equal(s.vad.segmentsExpected, 4); // 12 000, 15 000, 18 000, 21 000
  assert.equal(s.vad.segmentsDetected, 3); // 18 000 has no start within 1 s
  assert.deepEqual(s.vad.onsetLagMs, { p50: 180, p95: 288, max: 300 });
  assert.equal(s.vad.agentStarts, 5);
  assert.equal(s.vad.alignment?.usable, true);
  // Against the ramp: lines at 11..18 s carry 1 session, the rest 2; onsets fall in the line that ends after them.
  assert.deepEqual(s.byLoad.map((b) => [b.activeSessions, b.seconds, b.onsetLagMs.n]), [[1, 8, 2], [2, 12, 1]]);
  assert.deepEqual(s.overTime.map((b) => [b.fromS, b.toS, b.seconds]), [[1, 9, 9], [10, 19, 10], [20, 20, 1]]);
});

test('capture timestamps off the page clock make the alignment unusable: no lag is reported', () => {
  const s = summarizeHuman(record({ alignment: alignment([12_000]), agentVadStarts: [12_100], captureDelayMs: [-3_000, -2_900] }));
  assert.equal(s.vad.alignment?.usable, false);
  assert.equal(s.vad.segmentsExpected, 0);
  assert.equal(s.vad.onsetLagMs.p50, null);
});

test('addresses outside loopback and the namespace are named', () => {
  const s = summarizeHuman(record({ candidateAddrs: ['198.18.0.1', '10.0.0.5'], requestHosts: ['127.0.0.1', 'cdn.example.com'] }));
  assert.deepEqual(s.network.foreign, ['10.0.0.5', 'cdn.example.com']);
  assert.deepEqual(summarizeHuman(record()).network.foreign, []);
});

test("the summary section says what a person heard, with n/a where nothing was measured", () => {
  const lines = Array.from({ length: 12 }, (_, i) => line(i + 1, 2));
  const md = humanSection(summarizeHuman(record({ lines, alignment: alignment([12_000]), agentVadStarts: [12_150] })), 5_000).join('\n');
  assert.match(md, /^## What a person hears \(measured\)/);
  assert.match(md, /headless probe \(Chromium 156\)/);
  assert.match(md, /Joined the room \/ first heard the agent \| 5\.0 s after the run started \/ 5\.5 s/);
  assert.match(md, /\| VAD onset lag p50 \/ p95 \/ max \| 150\.0 \/ 150\.0 \/ 150\.0 ms \|/);
  assert.match(md, /### Against the load ramp/);
  assert.match(md, /### Over time \(10 s slices\)/);
  const empty = humanSection(summarizeHuman(record({ mode: 'human', browser: null, joinedAt: null, firstAudioAt: null })), 0).join('\n');
  assert.match(empty, /A person joined through the printed link/);
  assert.match(empty, /never \/ never/);
  assert.match(empty, /Jitter p50 \/ p95 \/ max \| n\/a \/ n\/a \/ n\/a \|/);
  assert.doesNotMatch(empty, /onset lag/);
});
