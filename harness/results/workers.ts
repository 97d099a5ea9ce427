/**
 * The worker side of a run as results.json carries it (`workers`): the pool, each worker, the
 * drills and the grace period. Plain data; runtimes/workers/ gathers and summarises it.
 */
import type { Spread } from './stats.js';

/** What one worker's health server answered over the run. */
export interface HealthSummary {
  probes: number;
  ok: number;
  /** Answered, but not 200 (e.g. 503 "not connected to livekit"). */
  notOk: number;
  /** Nothing answered (refused or timed out). */
  unreachable: number;
  latencyMs: Spread;
  /** Each distinct non-OK answer and how often it came. */
  messages: { message: string; count: number }[];
}

/** Self-reported load beside measured CPU at the same moments (framework workers report their load). */
export interface LoadTruth {
  pairs: number;
  /** Mean of the load the worker sent the server. */
  reported: number | null;
  /** Mean of the worker's own process tree CPU over the host's cores (what the worker itself uses). */
  treeShare: number | null;
  /** Mean of the whole host's CPU over its cores (what LiveKit's default load function reads). */
  hostShare: number | null;
}

/** One worker over the run. */
export interface WorkerSummary {
  index: number;
  /** Seconds from spawn to its first healthy answer; null if never. */
  readyS: number | null;
  /** Seconds from spawn to its log's "registered worker"; null if it never said so. */
  registeredS: number | null;
  exit: { code: number | null; signal: string | null; atS: number } | null;
  /** Jobs that ran here (a re-dispatched room counts again); unknown (0) for byo workers. */
  jobs: number;
  requests: number;
  accepted: number;
  /** Job offers accepted while the last load it had sent the server was at or over the threshold. */
  admittedWhileReportedFull: number;
  /**
   * Job offers accepted while its own load function, at that moment, was at or over the threshold:
   * for `jobs:N`, jobs it had accepted and not finished / N; for `cpu`, the last value it computed.
   * The server routes on reports up to 2.5 s old, so a burst can land here.
   */
  admittedOverThreshold: number;
  load: LoadTruth | null;
  health: HealthSummary;
  /** Means over the samples, in cores and bytes. */
  fixed: { mainCpu: number | null; mainPss: number | null; inferenceCpu: number | null; inferencePss: number | null; idleProcesses: number | null; idlePss: number | null };
  survivors: number;
  /** Error-level lines LiveKit's framework logged in this worker, distinct, with counts. */
  logErrors: { message: string; count: number }[];
}

/** One completed session of a soak: the workers' own memory (PSS of main and inference processes) and a busy job process's mean PSS then. */
export interface SoakPoint { completed: number; atS: number; fixedPssBytes: number; jobPssBytes: number | null }

/** The worker side of a run, as results.json's `workers`. Every figure is measured on the run's host. */
export interface WorkersResult {
  runtime: 'framework' | 'python' | 'byo' | 'container';
  agentName: string;
  workers: number;
  loadFunc: string;
  loadThreshold: number;
  /** How rooms arrived: `step` (each ramp step at once) or `poisson R/s`. */
  arrival: string;
  warning: string | null;
  perWorker: WorkerSummary[];
  /** Cost per running job (framework: its job process tree), over samples with at least one job running. */
  perJob: { cpuCores: number | null; pssBytes: number | null; basis: string };
  /** One worker's cost with no job of its own: main process + inference process + idle job processes. */
  fixedPerWorker: { cpuCores: number | null; pssBytes: number | null; basis: string };
  /** Jobs running on each worker, one row per `everyS` seconds (byo: active_jobs its /worker endpoint reported). */
  jobsOverTime: { everyS: number; rows: { tS: number; perWorker: number[] }[] };
  /** Memory against completed sessions (runs whose sessions end: `sessionLength`); capacity/leak.ts judges it. */
  soak?: { points: SoakPoint[] };
  dispatch: {
    dispatched: number; failed: number; toJobMs: Spread; toAgentInRoomMs: Spread; firstToLastS: number | null;
    /** Rooms dispatched again because their agent was not in within `boundS`, how many re-dispatches, and first dispatch → agent in for those rooms. */
    placement: { boundS: number; redispatchedRooms: number; redispatches: number; toAgentMs: Spread; neverPlaced: number };
  };
  /**
   * Offers a worker refused and what the server did with them: sessions whose job another worker
   * then accepted (re-routed), the time from the first refusal to that acceptance, and sessions
   * refused and never accepted anywhere.
   */
  routing: { refusedOffers: number; reroutedSessions: number; rerouteMs: Spread; unplaced: number };
  drain: DrainSummary | null;
  failover: FailoverSummary | null;
  grace: GraceSummary;
}

/** A rollout drill: one worker sent SIGINT mid-run. */
export interface DrainSummary {
  worker: number;
  /** When SIGINT was sent, s since the run started. */
  atS: number;
  /** Its sessions running at that moment. */
  sessionsRunning: number;
  /** Of those, how many ran to their end (the user hung up) — the drain kept them. */
  completed: number;
  /** Of those, how many ended otherwise, or were still running when the worker exited. */
  cut: number;
  /** Jobs it started after SIGINT (a draining worker should take none). */
  newJobsAfter: number;
  /** SIGINT to the worker's exit, s; null if it had not exited by the end of the run. */
  drainS: number | null;
  exit: { code: number | null; signal: string | null } | null;
  /** SIGINT to the end of its last running session, s. */
  lastSessionEndS: number | null;
  /** drainS minus lastSessionEndS: what draining costs beyond waiting for the sessions. */
  overheadS: number | null;
}

/** A failover drill: one worker's whole process group killed mid-run. */
export interface FailoverSummary {
  worker: number;
  atS: number;
  /** Sessions whose job died with it. */
  lost: number;
  /** Lost rooms dispatched again, and how long until a new agent was in each (from the kill). */
  redispatched: number;
  redispatchToAgentMs: Spread;
  /** Lost rooms whose new agent never joined. */
  redispatchUnanswered: number;
  /** Rooms first dispatched after the kill, and how many of them the killed worker got (should be 0). */
  newRoomsAfter: number;
  newRoomsOnKilled: number;
  /** Processes of its group still alive 2 s after SIGKILL. */
  survivors: number;
}

/** The terminationGracePeriod to give workers, from what was measured. */
export interface GraceSummary {
  recommendedS: number | null;
  longestSessionS: number | null;
  drainOverheadS: number | null;
  basis: string;
  kind: 'extrapolated';
}
