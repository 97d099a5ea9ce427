/**
 * The human room's part of results.json (`human`): what a person, or the headless probe, heard in
 * one more room with its own agent during the run. Plain data; human/ records and summarises it.
 */
import type { Spread, Summary2, Summary3 } from './stats.js';

/** Who is in the human room: a person following the printed link, or the headless probe. */
export type HumanMode = 'human' | 'probe';

/** What the page heard of the agent's tone over a set of seconds (one load level, or ten seconds of the run). */
export interface HumanSlice {
  /** Seconds since the run started: the slice's first and last recorded second. */
  fromS: number;
  toS: number;
  /** Load sessions active: the one level (byLoad) or the most seen in the slice (overTime). */
  activeSessions: number;
  seconds: number;
  levelDbfs: number | null;
  concealedPct: number | null;
  lossPct: number | null;
  jitterMsP95: number | null;
  rttMsP95: number | null;
  /** Onset lags of the probe's speech whose onset fell in this slice. */
  onsetLagMs: Spread & { n: number };
}

/** The "what a person hears" block of results.json. Every figure is measured (see `basis`). */
export interface HumanSummary {
  mode: HumanMode;
  basis: string;
  /** Epoch ms when the page joined the room and when it first heard the agent; null when it never did. */
  joinedAt: number | null;
  firstAudioAt: number | null;
  /** Seconds of stats recorded (lines of human.jsonl). */
  seconds: number;
  heard: {
    /** Level of what was played out over all seconds, from totalAudioEnergy / totalSamplesDuration. */
    levelDbfs: number | null;
    /** The level the agent's clean tone reads at in these stats: 20·log10(peak), as libwebrtc squares peaks (see webrtc-stats.ts). */
    sentLevelDbfs: number;
    samplesReceived: number;
    concealedPct: number | null;
    concealmentEvents: number;
    packetsLost: number;
    lossPct: number | null;
    jitterMs: Spread;
    rttMs: Spread;
    jitterBufferMs: Spread;
  };
  vad: {
    /** VAD events (starts and ends) the page received as data messages, the starts among them, and the agent's own count of starts. */
    dataMessages: number;
    dataStarts: number;
    agentStarts: number;
    /** Probe only: ground-truth onsets in the capture that the agent should have detected, and how many it did. */
    segmentsExpected: number;
    segmentsDetected: number;
    onsetLagMs: Spread;
    /** How the probe's onsets were placed in time (null for a person: there is no ground truth). */
    alignment: {
      stepMs: number;
      coarseScore: number | null;
      onsetsFound: number;
      missed: number;
      loopPeriodMs: number | null;
      /** Median time from a chunk's capture timestamp to the page script getting it: checks the timestamps are on the page clock. */
      captureDelayMsP50: number | null;
      /** False when the capture timestamps are not on the page clock: no onset lag is then reported. */
      usable: boolean;
      uncertainty: string;
    } | null;
  };
  /** The same figures by load level (the human room against the ramp) and in ten-second slices. */
  byLoad: HumanSlice[];
  overTime: HumanSlice[];
  /** The probe's browser (all its processes), measured over the recorded seconds. */
  browser: { version: string | null; args: string[]; cpuCores: Summary3 | null; rssBytes: Summary2 | null; pssBytes: Summary2 | null } | null;
  network: {
    /** ICE candidate addresses the page's connections gathered or used. */
    candidateAddresses: string[];
    /** The selected pair (local → remote) last seen. */
    selectedPair: string | null;
    /** Hosts the page made requests to (probe only: from the browser's request events). */
    requestHosts: string[];
    /** Any of the above outside loopback and the private namespace. */
    foreign: string[];
  };
  errors: string[];
}
