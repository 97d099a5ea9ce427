/**
 * What a browser's WebRTC stats say about the audio a person hears. Pure and free of DOM and node
 * imports: the page (bundled by esbuild) and the harness (node, tests) share this one reading of
 * getStats(), so the figures on the page and in the report are the same figures.
 */

/** One entry of an RTCStatsReport, read defensively (fields differ between browser versions). */
export type StatLike = Record<string, unknown>;

/** Cumulative counters of the inbound audio (the agent's tone) at one instant; W3C webrtc-stats names. */
export interface InboundAudioCounters {
  packetsReceived: number;
  packetsLost: number;
  /** Seconds, as the browser estimates it now (not cumulative). */
  jitterS: number;
  concealedSamples: number;
  silentConcealedSamples: number;
  concealmentEvents: number;
  /** Sum over received samples of (sample / full scale)² × sample duration. */
  totalAudioEnergy: number;
  totalSamplesDuration: number;
  totalSamplesReceived: number;
  jitterBufferDelayS: number;
  jitterBufferEmittedCount: number;
}

/** Everything one getStats() round gave, reduced to what the report needs. */
export interface StatsSnapshot {
  /** Epoch ms (page clock) when the stats were read. */
  at: number;
  inbound: InboundAudioCounters | null;
  /** Round-trip time of the selected candidate pair, ms. */
  rttMs: number | null;
  /** The selected candidate pair: addresses (empty where the browser hides one) and candidate types. */
  pair: { local: string; remote: string; protocol: string; localType: string; remoteType: string } | null;
  /** Every ICE candidate address in the reports (local and remote), sorted. */
  candidateAddrs: string[];
}

/** Per-interval figures between two snapshots: what the person heard during that second. */
export interface SecondRow {
  /** Epoch ms of the later snapshot, page clock. */
  at: number;
  intervalS: number;
  jitterMs: number;
  packetsReceived: number;
  packetsLost: number;
  /** Lost / (received + lost), %; null when no packet was due. */
  lossPct: number | null;
  samplesReceived: number;
  concealedSamples: number;
  silentConcealedSamples: number;
  concealmentEvents: number;
  /** Concealed / received samples, %; null when no sample was received. */
  concealedPct: number | null;
  /**
   * totalAudioEnergy / totalSamplesDuration over the interval (full scale = 1); null with no samples.
   * libwebrtc accumulates the square of each ~100 ms window's *peak* sample (voe::AudioLevel), so
   * this is a peak power: a clean sine of peak A reads A², not its mean square A²/2.
   */
  energyMeanSquare: number | null;
  /** The same in dBFS: a clean sine of peak A reads 20·log10(A). */
  levelDbfs: number | null;
  /** Mean time an emitted sample spent in the jitter buffer over the interval, ms. */
  jitterBufferMs: number | null;
  rttMs: number | null;
}

function num(v: unknown): number {
  return typeof v === 'number' && Number.isFinite(v) ? v : 0;
}

function str(v: unknown): string {
  return typeof v === 'string' ? v : '';
}

/** A candidate's address: `address` in current browsers, `ip` in older ones. */
function candidateAddr(s: StatLike): string {
  return str(s.address) || str(s.ip);
}

function inboundOf(s: StatLike): InboundAudioCounters {
  return {
    packetsReceived: num(s.packetsReceived),
    packetsLost: num(s.packetsLost),
    jitterS: num(s.jitter),
    concealedSamples: num(s.concealedSamples),
    silentConcealedSamples: num(s.silentConcealedSamples),
    concealmentEvents: num(s.concealmentEvents),
    totalAudioEnergy: num(s.totalAudioEnergy),
    totalSamplesDuration: num(s.totalSamplesDuration),
    totalSamplesReceived: num(s.totalSamplesReceived),
    jitterBufferDelayS: num(s.jitterBufferDelay),
    jitterBufferEmittedCount: num(s.jitterBufferEmittedCount),
  };
}

/** The selected pair: the transport's selectedCandidatePairId, else a nominated, succeeded pair. */
function selectedPair(byId: Map<string, StatLike>, all: StatLike[]): StatLike | null {
  for (const s of all) {
    if (s.type === 'transport' && typeof s.selectedCandidatePairId === 'string') {
      const pair = byId.get(s.selectedCandidatePairId);
      if (pair) return pair;
    }
  }
  return all.find((s) => s.type === 'candidate-pair' && s.nominated === true && s.state === 'succeeded') ?? null;
}

/**
 * Reduces getStats() reports (the receiver's first: its inbound audio and pair are the ones used;
 * the sender's may follow, for its candidates) to one snapshot.
 */
export function snapshotFromStats(at: number, ...reports: Iterable<StatLike>[]): StatsSnapshot {
  const first = [...(reports[0] ?? [])];
  const all = reports.flatMap((r) => [...r]);
  const byId = new Map<string, StatLike>();
  for (const s of first) if (typeof s.id === 'string') byId.set(s.id, s);
  const inbound = first.find((s) => s.type === 'inbound-rtp' && s.kind === 'audio');
  const pair = selectedPair(byId, first);
  const local = pair ? byId.get(str(pair.localCandidateId)) : undefined;
  const remote = pair ? byId.get(str(pair.remoteCandidateId)) : undefined;
  const addrs = new Set<string>();
  for (const s of all) {
    if (s.type !== 'local-candidate' && s.type !== 'remote-candidate') continue;
    const a = candidateAddr(s);
    if (a) addrs.add(a);
  }
  const rtt = pair && typeof pair.currentRoundTripTime === 'number' ? pair.currentRoundTripTime * 1000 : null;
  return {
    at,
    inbound: inbound ? inboundOf(inbound) : null,
    rttMs: rtt,
    pair: local && remote
      ? { local: candidateAddr(local), remote: candidateAddr(remote), protocol: str(local.protocol), localType: str(local.candidateType), remoteType: str(remote.candidateType) }
      : null,
    candidateAddrs: [...addrs].sort(),
  };
}

/** Full-scale mean square → dBFS; null for silence or nothing. */
export function dbfs(meanSquare: number | null): number | null {
  return meanSquare !== null && meanSquare > 0 ? 10 * Math.log10(meanSquare) : null;
}

/**
 * The interval between two snapshots. Null when either has no inbound audio yet, or when a
 * counter went backwards (the track was subscribed again: the counters restarted).
 */
export function secondRow(prev: StatsSnapshot | null, cur: StatsSnapshot): SecondRow | null {
  const a = prev?.inbound;
  const b = cur.inbound;
  if (!prev || !a || !b || cur.at <= prev.at) return null;
  const d = (k: keyof InboundAudioCounters) => b[k] - a[k];
  const keys: (keyof InboundAudioCounters)[] = ['packetsReceived', 'packetsLost', 'totalSamplesReceived', 'concealedSamples', 'totalSamplesDuration', 'totalAudioEnergy', 'jitterBufferEmittedCount'];
  if (keys.some((k) => d(k) < 0)) return null;
  const due = d('packetsReceived') + d('packetsLost');
  const samples = d('totalSamplesReceived');
  const duration = d('totalSamplesDuration');
  const energy = duration > 0 ? d('totalAudioEnergy') / duration : null;
  const emitted = d('jitterBufferEmittedCount');
  return {
    at: cur.at,
    intervalS: (cur.at - prev.at) / 1000,
    jitterMs: b.jitterS * 1000,
    packetsReceived: d('packetsReceived'),
    packetsLost: d('packetsLost'),
    lossPct: due > 0 ? (100 * d('packetsLost')) / due : null,
    samplesReceived: samples,
    concealedSamples: d('concealedSamples'),
    silentConcealedSamples: Math.max(0, d('silentConcealedSamples')),
    concealmentEvents: Math.max(0, d('concealmentEvents')),
    concealedPct: samples > 0 ? (100 * d('concealedSamples')) / samples : null,
    energyMeanSquare: energy,
    levelDbfs: dbfs(energy),
    jitterBufferMs: emitted > 0 ? (1000 * d('jitterBufferDelayS')) / emitted : null,
    rttMs: cur.rttMs,
  };
}
