import { EventEmitter } from 'node:events';
import { closeSync, mkdirSync, openSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import { performance } from 'node:perf_hooks';
import { createProcessSampler } from './factory.js';
import { SystemSampler } from './system.js';
import { ROLES, type ProcessGroup, type Role, type RoleRoots, type RoleSample, type Sample, type TreeSampler } from './types.js';

/** Clocks the recorder reads: monotonic for scheduling and elapsed time, wall for timestamps. */
export interface RecorderClock {
  /** Monotonic ms. */
  now(): number;
  /** Ms since the epoch. */
  wall(): number;
}

/** Timer functions the recorder schedules with (injectable so tests can drive ticks by hand). */
export interface RecorderTimers {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

/** Options of {@link SampleRecorder}. */
export interface SampleRecorderOptions {
  /** samples.jsonl path; appended to, one JSON line per sample. */
  file: string;
  /** Ms between ticks. Default 1000. */
  intervalMs?: number;
  /** The root pids of each role now. Harness pids are taken without descendants; empty means process.pid. */
  roots: () => RoleRoots;
  /** Sessions with agent and user both joined, now. */
  activeSessions: () => number;
  /** Default: createProcessSampler(). */
  sampler?: TreeSampler;
  /** Default: new SystemSampler(). */
  system?: Pick<SystemSampler, 'sample'>;
  /** Default: performance.now / Date.now. */
  clock?: RecorderClock;
  /** Default: the global setTimeout / clearTimeout. */
  timers?: RecorderTimers;
  /**
   * When the run started on `clock.now()`'s scale: samples' elapsedMs count from it, as the ramp's
   * schedule and the sessions' times do. Default: when the recorder starts. (A run's recorder starts
   * after the server and the workers are up, seconds later for Python workers; counted from its own
   * start, every step's window would reach that far into the next step's joins.)
   */
  originMs?: number;
}

const realClock: RecorderClock = { now: () => performance.now(), wall: () => Date.now() };
const realTimers: RecorderTimers = {
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

/**
 * Samples every role once per interval and appends each sample to a JSONL file as it is taken, so
 * a crash loses nothing before the last tick. Ticks follow an absolute schedule (tick k is due at
 * start + k·interval); a tick whose due time has passed while the previous one was still sampling
 * is skipped and counted in {@link missedTicks}. Before tick 1, start() takes one unrecorded
 * sample so that every recorded line has a full interval of CPU behind it.
 *
 * Events: 'sample' (Sample) after each line is written; 'warning' (Error) when a tick fails or
 * ticks are missed. Sampling errors never stop the loop.
 */
export class SampleRecorder extends EventEmitter {
  private readonly opts: Required<Omit<SampleRecorderOptions, 'sampler' | 'system' | 'originMs'>>;
  private readonly originMs: number | undefined;
  private readonly sampler: TreeSampler;
  private readonly system: Pick<SystemSampler, 'sample'>;
  private readonly recorded: Sample[] = [];
  private fd: number | undefined;
  private startMs = 0;
  private nextTick = 1;
  private missed = 0;
  private timer: unknown;
  private running = false;
  private inFlight: Promise<void> | undefined;

  constructor(options: SampleRecorderOptions) {
    super();
    this.opts = {
      file: options.file,
      intervalMs: options.intervalMs ?? 1000,
      roots: options.roots,
      activeSessions: options.activeSessions,
      clock: options.clock ?? realClock,
      timers: options.timers ?? realTimers,
    };
    this.originMs = options.originMs;
    this.sampler = options.sampler ?? createProcessSampler();
    this.system = options.system ?? new SystemSampler();
  }

  /** Every sample recorded so far, oldest first. */
  get samples(): readonly Sample[] {
    return this.recorded;
  }

  /** Ticks skipped because the previous sample was still running when they fell due. */
  get missedTicks(): number {
    return this.missed;
  }

  /** Opens the file for appending, primes the samplers and schedules tick 1 at start + interval. */
  start(): void {
    if (this.running) throw new Error('SampleRecorder already started');
    mkdirSync(dirname(this.opts.file), { recursive: true });
    this.fd = openSync(this.opts.file, 'a');
    this.running = true;
    this.startMs = this.opts.clock.now();
    this.nextTick = 1;
    // The priming sample sets each role's CPU baseline; its figures are discarded.
    this.inFlight = this.measure().then(
      () => undefined,
      (err: unknown) => this.warn('priming sample failed', err),
    );
    this.schedule();
  }

  /** Stops ticking, waits for a sample in progress to be written, and closes the file. */
  async stop(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    this.opts.timers.clearTimeout(this.timer);
    await this.inFlight;
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }

  private schedule(): void {
    const due = this.startMs + this.nextTick * this.opts.intervalMs;
    this.timer = this.opts.timers.setTimeout(() => this.onTimer(), Math.max(0, due - this.opts.clock.now()));
  }

  private onTimer(): void {
    if (!this.running) return;
    const run = async (): Promise<void> => {
      await this.inFlight; // only the priming sample can still be running here
      try {
        this.record(await this.measure());
      } catch (err) {
        this.warn('sample failed', err);
      }
      this.advance();
    };
    this.inFlight = run();
  }

  /** Moves to the next tick that is still in the future, counting the ones skipped. */
  private advance(): void {
    if (!this.running) return;
    const elapsed = this.opts.clock.now() - this.startMs;
    const next = Math.max(this.nextTick + 1, Math.floor(elapsed / this.opts.intervalMs) + 1);
    const skipped = next - (this.nextTick + 1);
    if (skipped > 0) {
      this.missed += skipped;
      this.warn(`sampling fell behind: skipped ${skipped} tick(s), ${this.missed} in total`);
    }
    this.nextTick = next;
    this.schedule();
  }

  /** Takes one sample, measuring its own wall and harness CPU cost. */
  private async measure(): Promise<Sample> {
    const t = this.opts.clock.wall();
    const elapsedMs = this.opts.clock.now() - (this.originMs ?? this.startMs);
    const wall0 = process.hrtime.bigint();
    const cpu0 = process.cpuUsage();
    const roots = this.opts.roots();
    const [roles, system] = await Promise.all([this.sampler.sampleAll(groupsOf(roots)), this.system.sample()]);
    // The samplers yield to the event loop between reads, so cpuMs may include a little other harness work.
    const cpu = process.cpuUsage(cpu0);
    const wallMs = Number(process.hrtime.bigint() - wall0) / 1e6;
    return {
      t,
      elapsedMs,
      activeSessions: this.opts.activeSessions(),
      roles: rolesOf(roles),
      system,
      sampler: { wallMs, cpuMs: (cpu.user + cpu.system) / 1000 },
    };
  }

  private record(sample: Sample): void {
    if (this.fd === undefined) return;
    writeSync(this.fd, `${JSON.stringify(sample)}\n`);
    this.recorded.push(sample);
    this.emit('sample', sample);
  }

  private warn(message: string, cause?: unknown): void {
    this.emit('warning', cause === undefined ? new Error(message) : new Error(`${message}: ${String(cause)}`, { cause }));
  }
}

/** Role roots as sampler groups: harness alone, the other roles with their descendants. */
function groupsOf(roots: RoleRoots): Record<Role, ProcessGroup> {
  const harness = roots.harness.length > 0 ? roots.harness : [process.pid];
  return {
    agents: { pids: roots.agents, descendants: true },
    generator: { pids: roots.generator, descendants: true },
    server: { pids: roots.server, descendants: true },
    harness: { pids: harness, descendants: false },
  };
}

function rolesOf(found: Record<string, RoleSample>): Record<Role, RoleSample> {
  const out = {} as Record<Role, RoleSample>;
  for (const role of ROLES) out[role] = found[role] ?? { processes: 0, cpuCores: 0, rssBytes: 0, pssBytes: null };
  return out;
}
