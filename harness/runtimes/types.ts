/**
 * The seam every agent runtime plugs into. The runner knows only this interface: how a runtime
 * places a session (spawn an agent process, or dispatch a room to registered workers), where its
 * processes are, how it stops, and what it adds to the result.
 */
import type { EventEmitter } from 'node:events';
import type { WorkersResult } from '../results/workers.js';
import type { Sample } from '../sampling/types.js';
import type { Scenario } from '../scenario/schema.js';
import type { ServerHandle } from '../server/types.js';
import type { SessionBook } from '../sessions/book.js';

/** Everything a runtime is given when it is made. */
export interface RuntimeContext {
  scenario: Scenario;
  server: ServerHandle;
  /** Where sessions' joins and QoS are recorded; every runtime reports into it the same way. */
  book: SessionBook;
  speechPath: string;
  /** Unique per run: room names and agent names derive from it. */
  runId: string;
  /** The report folder: runtimes may record raw logs there (worker-K.log, workers.json). */
  outDir: string;
  /**
   * performance.now() when the run's clock started: drills are timed from it. Known once start()
   * has returned and the ramp has begun (read it from the first launch on).
   */
  runT0: () => number;
  hostCores: number;
  /** Called with each agent (or worker) pid before it takes work, e.g. to put it in the target's cgroup. */
  confine?: (pid: number) => Promise<void>;
  /**
   * With `confine`: the command line that starts `argv` already inside that cgroup. Runtimes whose
   * processes fork children at once (workers: job processes, `sh -c`'s command) start through it,
   * since a process moved after its start leaves its earlier children behind.
   */
  confineArgv?: (argv: readonly string[]) => string[];
}

/** Root pids per role that the sampler follows (with their descendants). */
export interface RuntimePids { agents: number[]; generator: number[] }

/** A running session's job process: one agent process (bare) or one worker's job process. */
export interface JobPid { session: number; pid: number }

/** What a runtime adds to the run's result once the run is over (pure data). */
export interface RuntimeResultPart {
  workers?: WorkersResult;
  /** Appended to perSession.basis: what the agents role holds for this runtime. */
  basisNote?: string;
  /** Set when the agents ran off this host (deployed workers): why their cost is not measured here. */
  agentsElsewhere?: string;
}

/** The run's span, for a runtime's result part. */
export interface RunSpan { startedAt: number; endedAt: number; samples: readonly Sample[] }

/**
 * An agent runtime: bare agent processes, @livekit/agents workers, your own worker command.
 * Emits 'warning' (string) for faults worth showing.
 */
export interface AgentRuntime extends Pick<EventEmitter, 'on' | 'off'> {
  readonly kind: Scenario['pool']['runtime'];
  /** Brings up what must run before the first session (workers registered and healthy); bare: nothing. */
  start(): Promise<void>;
  /** Places sessions [from, to) and resolves once each has joined or given up (or the signal aborts). */
  launch(from: number, to: number, signal: AbortSignal): Promise<void>;
  /** Root pids of the agents and of the load generators, now. */
  pids(): RuntimePids;
  /** The job process of each running session, now (empty where the runtime cannot tell). */
  jobPids(): JobPid[];
  /** Stops users first, then drains and stops the agents; leaves no process behind. */
  stop(): Promise<void>;
  /** Its part of the result, computed from what it recorded. */
  resultPart(span: RunSpan): RuntimeResultPart;
}
