import type { HealthProbe } from './health.js';
import type { DrillSpec, PoolSpec, Runtime } from '../../scenario/pool.js';

/**
 * CPU (cores) and memory of one set of processes at one tick. pss null where the platform has none;
 * pssEstimated as in RoleSample (how many processes' PSS was estimated between smaps_rollup reads).
 */
export interface UsagePart { processes: number; cpuCores: number; rssBytes: number; pssBytes: number | null; pssEstimated?: number }

/**
 * One worker's process tree at one sampler tick, split the way its cost divides: the worker's own
 * process, its inference process, job processes running a job of ours (busy), job processes kept
 * warm (idle), and anything else below it (e.g. the shell of a byo command).
 */
export interface WorkerUsage { at: number; main: UsagePart; inference: UsagePart; busy: UsagePart; idle: UsagePart; other: UsagePart }

/** Everything recorded about one worker process during a run. Times are epoch ms. */
export interface WorkerRecord {
  index: number;
  pid: number | null;
  healthPort: number;
  startedAt: number;
  /** When its health check first answered 200 (registered with the server); null if it never did. */
  readyAt: number | null;
  /** When its log said the server had registered it ("registered worker"); null if it never said so. */
  registeredAt: number | null;
  exit: { code: number | null; signal: string | null; at: number } | null;
  /** Loads the worker computed and sent the server (framework only: a byo worker does not tell us). */
  loads: { at: number; load: number; activeJobs: number }[];
  /** Job offers that reached the worker's request function (framework only). */
  requests: { at: number; session: number; load: number | null; activeJobs: number | null; accepted: boolean }[];
  health: HealthProbe[];
  usage: WorkerUsage[];
  /** What was done to it mid-run. */
  drill: { kind: DrillSpec['kind']; at: number; sessionsRunning: number[] } | null;
  /** Pids of its group still alive after its main process exited (killed by the harness, and a fault). */
  survivors: number[];
  /** Error-level lines of the worker's own log (LiveKit's framework), distinct, with counts. */
  logErrors: { message: string; count: number }[];
}

/** What the harness knows of one session's agent job. */
export interface WorkerSession {
  session: number;
  room: string;
  /** When the harness asked the server to dispatch the agent; null if it never did. */
  dispatchAt: number | null;
  dispatchError: string | null;
  worker: number | null;
  jobPid: number | null;
  /** When the job's entry function started in its job process. */
  jobAt: number | null;
  /** When the agent was in the room (after ctx.connect(), or as the user saw it for byo). */
  joinedAt: number | null;
  /** When the harness made the user leave (sessionLength). */
  userLeftAt: number | null;
  /** When the job ended, and why ('user left', ...); null while running or when its process was killed. */
  endedAt: number | null;
  endReason: string | null;
  /** Its worker was killed under it (failover). */
  lost: boolean;
  /** Epoch ms of each re-dispatch because the agent had not arrived within the placement bound. */
  retries: number[];
  /** For a lost session: the harness dispatched the room again; when, to which worker, when the new agent was in. */
  redispatch: { at: number; worker: number | null; joinedAt: number | null } | null;
}

/** The worker side of a run, as gathered; summarised by summarizeWorkers(). */
export interface WorkersInput {
  runtime: Exclude<Runtime, 'bare' | 'deployed'>;
  agentName: string;
  pool: PoolSpec;
  hostCores: number;
  /** The server is not one this harness started: workers join that project's pool. */
  externalServer: boolean;
  workers: WorkerRecord[];
  sessions: WorkerSession[];
  /** Seconds the harness waits for a room's agent before dispatching the room again. */
  placeBoundS: number;
}
