/**
 * The human room: one more room with its own agent, joined by a person (`--human`) or by headless
 * Chromium playing the speech fixture as its microphone (`--human-probe`). These are the lines it
 * records and the seam the runner calls; the summary it adds to results.json is results/human.ts.
 */
import type { HumanSummary } from '../results/human.js';
import type { RoleSample } from '../sampling/types.js';
import type { ServerHandle } from '../server/types.js';
import type { SecondRow } from './webrtc-stats.js';

/** One line of human.jsonl: one second of what the page heard, with the load at that moment. */
export interface HumanLine extends SecondRow {
  /** Seconds since the run started. */
  elapsedS: number;
  /** Sessions of the load (not counting the human room) active at that moment. */
  activeSessions: number;
  /** The agent's VAD start events received by the page as data messages during the second. */
  vadMessages: number;
  /** The probe's browser process tree (probe only), sampled at the same second. */
  browser: RoleSample | null;
  /** The human room's agent process. */
  agent: RoleSample | null;
}

/** What the runner gives the human room when the server is up. */
export interface HumanContext {
  server: ServerHandle;
  runId: string;
  /** Epoch ms the run started at. */
  startedAt: number;
  /** Load sessions active now. */
  activeSessions: () => number;
  /** Where media may go (loopback plus these). */
  allowedAddrs: string[];
}

/** The seam the runner calls: start after the server, stop before the fleet, then read the summary. */
export interface HumanHook {
  start(ctx: HumanContext): Promise<void>;
  stop(): Promise<void>;
  /** Reasons the human room makes the run untrustworthy (a forbidden address, a probe that never heard anything). */
  invalidReasons(): string[];
  summary(): HumanSummary;
  /** Files it wrote into the report folder. */
  files(): string[];
}
