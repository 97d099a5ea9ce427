import type { AgentMessage } from '../../sessions/ipc.js';

/**
 * What the harness puts in each dispatch's metadata: the worker reads it to know which session
 * a job belongs to, which user to listen to, and what tone to publish. Nothing secret.
 */
export interface DispatchMeta {
  session: number;
  userIdentity: string;
  agentIdentity: string;
  toneHz: number;
}

/** Environment variables the harness gives a worker process (besides LiveKit's own three). */
export const WORKER_ENV = {
  /** The unix socket the harness listens on for job and worker reports. */
  reportSocket: 'VOICELOAD_REPORT_SOCKET',
  /** This worker's index in the pool. */
  workerIndex: 'VOICELOAD_WORKER_INDEX',
  /** The agent name rooms are dispatched to. */
  agentName: 'LIVEKIT_AGENT_NAME',
  /** The port of the worker's health server (`/` and `/worker`). */
  healthPort: 'VOICELOAD_HEALTH_PORT',
  /** The address it listens on: 127.0.0.1 by default; the worker image sets 0.0.0.0 for the kubelet's probes. */
  healthHost: 'VOICELOAD_HEALTH_HOST',
  /** `cpu` (LiveKit's default) or `jobs:N` (active jobs / N). */
  loadFunc: 'VOICELOAD_LOAD_FUNC',
  loadThreshold: 'VOICELOAD_LOAD_THRESHOLD',
  /** `1`: refuse offers when the worker's own load is at or over its threshold (the server re-routes them). */
  refuseWhenFull: 'VOICELOAD_REFUSE_WHEN_FULL',
  /** Test-only: MB the Python reference worker keeps per job that ends (a known leak the soak must find). */
  testLeakMb: 'VOICELOAD_TEST_LEAK_MB',
  /** Job processes kept warm (LiveKit's numIdleProcesses). */
  idleProcesses: 'VOICELOAD_IDLE_PROCESSES',
  /**
   * The harness's pid: our reference workers drain and exit once it is gone. They watch it, not their
   * parent: behind `sh -c` the parent is a shell that dies of the same SIGTERM that starts the drain,
   * and a second SIGTERM makes LiveKit's worker exit at once ("exiting forcefully"). Not given to
   * containers, whose pid namespace cannot see it.
   */
  harnessPid: 'VOICELOAD_HARNESS_PID',
} as const;

/**
 * One line on the report socket, from a worker's main process or from one of its job processes.
 * Times are epoch ms (performance.timeOrigin + performance.now()), comparable across processes.
 */
export type WorkerReport =
  /** The worker computed its load (the value it sends the server) — its self-report. */
  | { type: 'load'; worker: number; at: number; load: number; activeJobs: number }
  /** The server offered the worker a job; `load` is the last load the worker had reported then, `activeJobs` the jobs it was running. */
  | { type: 'request'; worker: number; at: number; session: number; load: number | null; activeJobs: number | null; accepted: boolean }
  /** A job process started a job (its entry function runs). */
  | { type: 'job'; worker: number; at: number; session: number; pid: number; jobId: string }
  /** What the job's agent measured, the same messages a bare agent sends over IPC. */
  | { type: 'agent'; worker: number; session: number; msg: AgentMessage }
  /** The job ended (its user left, or it was told to shut down). */
  | { type: 'job-end'; worker: number; at: number; session: number; reason: string };

/** Parses one report line; null when it is not a report (a foreign or broken writer). */
export function parseReport(line: string): WorkerReport | null {
  try {
    const m = JSON.parse(line) as { type?: unknown };
    return typeof m === 'object' && m !== null && typeof m.type === 'string' ? (m as WorkerReport) : null;
  } catch {
    return null;
  }
}
