import { randomBytes } from 'node:crypto';
import { EventEmitter, setMaxListeners } from 'node:events';
import path from 'node:path';
import { InterruptedError } from '../common/errors.js';
import { killTree } from '../proc/kill.js';
import type { HumanHook } from '../human/types.js';
import type { Confinement, HostInfo, KneeStop, QosMark, RunInput, RunResult, Segment } from '../results/types.js';
import { createRuntime } from '../runtimes/factory.js';
import type { AgentRuntime, RuntimeContext } from '../runtimes/types.js';
import { createProcessSampler } from '../sampling/factory.js';
import { describeSource, PrometheusRoleSampler, withRemoteRole, type PrometheusSource } from '../sampling/prometheus.js';
import { SampleRecorder, type SampleRecorderOptions } from '../sampling/recorder.js';
import { systemSamplerFor } from '../sampling/system.js';
import type { Sample } from '../sampling/types.js';
import { launchPlan, rampEndS, type Scenario } from '../scenario/schema.js';
import type { ServerHandle } from '../server/types.js';
import { SessionBook } from '../sessions/book.js';
import { assembleResult } from './assemble.js';
import { realClock, sleepOn, type RunClock } from './clock.js';
import { createCgroup, enterArgv, shouldConfine, type Cgroup } from './confine.js';
import { partitionHost } from './partition-host.js';
import { hostInfo } from '../sampling/host.js';
import { judgeStepSoFar, kneeStopOf, type StepJudge } from './step-judge.js';
import { lastJoinAt, windowStartMs } from './window.js';

/** Everything one run needs; built by the CLI from flags and the environment. */
export interface RunOptions {
  scenario: Scenario;
  speechPath: string;
  segments: Segment[];
  /** The report folder: samples.jsonl and the runtimes' raw logs are recorded there. */
  outDir: string;
  /**
   * Starts (or connects to) the server; called once the report folder exists. It must honour the
   * signal (a Ctrl-C during the external check, the first-use build or the local start): reject
   * promptly, leaving nothing started.
   */
  startServer: (signal: AbortSignal) => Promise<ServerHandle>;
  network: RunInput['network'];
  /** Aborting it (Ctrl-C, SIGTERM) stops the run; what was recorded is still returned. */
  signal: AbortSignal;
  /** Confine the agents to the target's size when this host is bigger (default true). */
  confine?: boolean;
  /**
   * Partition the host (default false): the agents on CPUs of their own, the load side (this
   * process, the server, the generators) on the others. Falls back to `confine` when it cannot.
   */
  partition?: boolean;
  /**
   * With scenario.stopAtKnee: judges each finished ramp step and returns what broke in it (empty:
   * the ramp goes on). The first broken step ends the run there.
   */
  judgeStep?: StepJudge;
  /** One more room with its own agent, for a person or the headless probe (`--human`, `--human-probe`). */
  human?: HumanHook;
  /**
   * Epoch ms at which the run starts (`--start-at`): the shards of one distributed run wait for the
   * same instant so their ramps line up. Absent: at once.
   */
  startAt?: number;
  /** Read the agents' CPU and memory from Prometheus instead of /proc (workers measured as the cluster sees them). */
  agentsSource?: PrometheusSource;
  /** Injected parts; the defaults are the real ones. */
  deps?: RunDeps;
}

/** What a test (or another platform) can swap: time, the host, the runtime, the samplers, the cgroup. */
export interface RunDeps {
  clock?: RunClock;
  host?: HostInfo;
  makeRuntime?: (ctx: RuntimeContext) => AgentRuntime;
  /** The recorder's process and system samplers (default: /proc). */
  samplers?: Pick<SampleRecorderOptions, 'sampler' | 'system'>;
  makeCgroup?: (target: Scenario['target'], name: string) => Promise<Cgroup>;
  /** Makes the host's partition (default: {@link partitionHost}); null when there is nothing to split. */
  makePartition?: (target: Scenario['target'], runId: string, loadPids: number[]) => Promise<Cgroup | null>;
}

/**
 * What a run returns: its result, every sample, what was gathered before aggregation (a shard
 * writes it for the merge), and the fault that ended it early (null: none).
 */
export interface RunOutput { result: RunResult; samples: Sample[]; input: RunInput; error: Error | null }

/** Progress of a run, emitted with every sample. */
/** One progress report: `joined` is the sessions live now, `ended` those already over (finite sessions). */
export interface Progress { elapsedS: number; totalS: number; joined: number; ended: number; requested: number; cpuCores: number; phase: string }

/** What one run holds while it goes; the pieces are made in order and torn down in reverse. */
interface RunState {
  runId: string;
  /** The run's clock (monotonic ms, and epoch ms): set at construction, then again when the load starts (beginLoad). */
  t0: number;
  startedAt: number;
  book: SessionBook;
  invalid: string[];
  marks: QosMark[];
  stop: AbortController;
  server: ServerHandle | null;
  cgroup: Cgroup | null;
  runtime: AgentRuntime | null;
  recorder: SampleRecorder | null;
  kneeStop: KneeStop | null;
  /** Start of the knee step's settled part, s: a ramp stopped at its knee is measured over it. */
  kneeFromS: number | null;
  warmedUpAtMs: number | null;
  windowTimer: unknown;
  /** When teardown began (the first session stopped), ms since the start: the window's end. */
  stoppingAtMs: number | null;
  /** Each launched step's placements, awaited before the run is folded up. */
  launches: Promise<void>[];
  phase: string;
}

/**
 * Runs one scenario: server, runtime, sampling, ramp, hold, stop, and the result. It records and
 * emits ('progress', 'warning', 'info', 'phase'); it never prints and writes no report.
 */
/** Every session, sampler and wait of a run listens on one stop signal: many listeners are its design, not a leak. */
function stopController(): AbortController {
  const c = new AbortController();
  setMaxListeners(0, c.signal);
  return c;
}

export class Runner extends EventEmitter {
  private readonly clock: RunClock;
  private readonly host: HostInfo;
  private current: RunState | null = null;

  constructor(private readonly opts: RunOptions) {
    super();
    this.clock = opts.deps?.clock ?? realClock;
    this.host = opts.deps?.host ?? hostInfo();
  }

  /**
   * Runs to the end (time up, knee, signal, fault). Throws only when nothing was measured: an
   * InterruptedError when the signal came (or had come) before sampling started.
   */
  async run(): Promise<RunOutput> {
    const st = this.initialState();
    this.current = st;
    const { signal } = this.opts;
    // Wired before anything starts, so a signal during start-up (or before run()) counts.
    const onAbort = () => st.stop.abort();
    signal.addEventListener('abort', onAbort, { once: true });
    if (signal.aborted) st.stop.abort();
    let error: Error | null = null;
    try {
      await this.startUp(st);
      await this.beginLoad(st);
      await this.ramp(st);
      await this.hold(st);
    } catch (err) {
      error = err as Error;
      if (!(error instanceof InterruptedError)) st.invalid.push(`harness error: ${error.message}`);
    } finally {
      await this.tearDown(st);
      signal.removeEventListener('abort', onAbort);
    }
    // Nothing was measured: there is no result to return.
    if (!st.server || !st.recorder) throw error ?? new Error('run ended before it started');
    return { ...this.finish(st, st.server, st.recorder), error };
  }

  private initialState(): RunState {
    return {
      // A shard's rooms carry its index, so shards sharing one server never share a room name.
      runId: `vl-${randomBytes(3).toString('hex')}${this.opts.scenario.shard ? `-k${this.opts.scenario.shard.index}` : ''}`, t0: this.clock.now(), startedAt: this.clock.wall(),
      book: new SessionBook(), invalid: [], marks: [], stop: stopController(),
      server: null, cgroup: null, runtime: null, recorder: null,
      kneeStop: null, kneeFromS: null, warmedUpAtMs: null, windowTimer: null, stoppingAtMs: null, launches: [], phase: 'starting server',
    };
  }

  private setPhase(st: RunState, phase: string): void {
    st.phase = phase;
    this.emit('phase', phase);
  }

  /**
   * Second signal: stops at once. Every process this one started (server, generators, agents,
   * workers, browser) is killed with its children, and the agents' cgroup removed; nothing is
   * written. The caller exits next.
   */
  async killNow(): Promise<void> {
    await killTree(process.pid);
    await this.current?.cgroup?.remove();
  }

  /** Server, the agents' cgroup and the runtime (workers up and registered); a signal during any of them stops the start. */
  private async startUp(st: RunState): Promise<void> {
    const { scenario } = this.opts;
    this.setPhase(st, st.phase);
    const stopped = (when: string) => {
      if (st.stop.signal.aborted) throw new InterruptedError(`interrupted ${when}: nothing was measured`);
    };
    stopped('before the server started');
    const server = (st.server = await this.opts.startServer(st.stop.signal));
    stopped('while the server started');
    void server.died.then((why) => {
      st.invalid.push(why);
      st.stop.abort();
    });
    st.cgroup = (await this.partition(st, server)) ?? (await this.confinement(st));
    const cg = st.cgroup;
    const runtime = (st.runtime = (this.opts.deps?.makeRuntime ?? createRuntime)({
      scenario, server, book: st.book, speechPath: this.opts.speechPath, runId: st.runId, outDir: this.opts.outDir,
      runT0: () => st.t0, hostCores: this.host.cores, ...(cg ? { confine: (pid: number) => cg.add(pid), confineArgv: (argv: readonly string[]) => enterArgv(cg.procsFiles, argv) } : {}),
    }));
    runtime.on('warning', (w: string) => this.emit('warning', w));
    runtime.on('info', (m: string) => this.emit('info', m));
    if (runtime.kind !== 'bare') this.setPhase(st, 'starting workers');
    await runtime.start();
    stopped('while the agents started');
  }

  /**
   * The run's clock starts here, with the server up and the agents ready (workers registered): t0
   * and startedAt are set again, so start-up never eats the ramp's schedule, a drill's time, the
   * duration or the window. A shard waits for its start instant first, so shards ramp together.
   * Then sampling and the human room start.
   */
  private async beginLoad(st: RunState): Promise<void> {
    const { startAt } = this.opts;
    if (startAt !== undefined) {
      const lateS = (this.clock.wall() - startAt) / 1000;
      if (lateS > 0) this.emit('warning', `start-up ended ${lateS.toFixed(1)} s after the start instant ${new Date(startAt).toISOString()}: this shard's ramp starts late`);
      else this.emit('info', `server and agents ready; waiting for the start instant ${new Date(startAt).toISOString()}`);
      await sleepOn(this.clock, startAt - this.clock.wall(), st.stop.signal);
      if (st.stop.signal.aborted) throw new InterruptedError('interrupted before the start instant: nothing was measured');
    }
    st.t0 = this.clock.now();
    st.startedAt = this.clock.wall();
    const server = st.server!;
    st.recorder = this.startRecorder(st, server, st.runtime!);
    await this.opts.human?.start({ server, runId: st.runId, startedAt: st.startedAt, activeSessions: () => st.book.active(), allowedAddrs: this.opts.network.allowedAddrs });
  }

  /**
   * Splits the host's CPUs between the agents and the load side (this process and the server move
   * now; generators, workers and a browser started later follow). When it cannot be made the run
   * goes on without it, with a warning, and the target's cgroup is tried as before.
   */
  private async partition(st: RunState, server: ServerHandle): Promise<Cgroup | null> {
    if (this.opts.partition !== true || this.opts.confine === false) return null;
    try {
      const make = this.opts.deps?.makePartition ?? ((t, id, pids) => partitionHost(this.host, t, id, pids));
      const cg = await make(this.opts.scenario.target, st.runId, server.pid ? [server.pid] : []);
      const p = cg?.info.partition;
      if (cg && p) this.emit('info', `host partitioned (${cg.info.kind}): agents on CPU ${p.agentCpus}, load side on CPU ${p.loadCpus}`);
      return cg;
    } catch (err) {
      this.emit('warning', `the host could not be partitioned between agents and load side: ${(err as Error).message}`);
      return null;
    }
  }

  /**
   * On a host bigger than the target the agents run in a cgroup of the target's size. When that
   * cannot be made the run goes on unconfined, and the report says its figures are this host's.
   */
  private async confinement(st: RunState): Promise<Cgroup | null> {
    const { scenario } = this.opts;
    if (this.opts.confine === false || !shouldConfine(this.host, scenario.target)) return null;
    try {
      const cg = await (this.opts.deps?.makeCgroup ?? createCgroup)(scenario.target, `voiceload-${st.runId}`);
      this.emit('info', `agents confined to ${scenario.targetLabel} (${cg.info.kind})`);
      return cg;
    } catch (err) {
      const why = `this host (${this.host.cores} cores) is bigger than the target ${scenario.targetLabel} but the agents could not be confined to it: ${(err as Error).message}`;
      this.emit('warning', why);
      st.invalid.push(why);
      return null;
    }
  }

  /** Samples every role each second; each tick marks every session's counters and reports progress. */
  private startRecorder(st: RunState, server: ServerHandle, runtime: AgentRuntime): SampleRecorder {
    const { scenario } = this.opts;
    const recorder = new SampleRecorder({
      file: path.join(this.opts.outDir, 'samples.jsonl'),
      roots: () => ({ ...runtime.pids(), server: server.pid ? [server.pid] : [], harness: [process.pid] }),
      activeSessions: () => st.book.active(),
      clock: this.clock,
      timers: this.clock,
      originMs: st.t0,
      system: systemSamplerFor(this.host),
      ...(this.opts.agentsSource ? { sampler: withRemoteRole(createProcessSampler(), 'agents', new PrometheusRoleSampler(this.opts.agentsSource)) } : {}),
      ...this.opts.deps?.samplers,
    });
    recorder.on('warning', (w: string) => this.emit('warning', `sampler: ${w}`));
    recorder.on('sample', (s: Sample) => {
      st.marks.push(st.book.mark(s.elapsedMs));
      this.emit('progress', { elapsedS: s.elapsedMs / 1000, totalS: scenario.durationS, joined: s.activeSessions, ended: st.book.ended(), requested: scenario.sessions, cpuCores: s.system.cpuCores, phase: st.phase } satisfies Progress);
      this.openWindowWhenFull(st);
    });
    recorder.start();
    return recorder;
  }

  /**
   * The window opens `warmup` after every session has joined; QoS histograms are snapshotted then
   * so start-up bursts do not count as steady-state quality.
   */
  private openWindowWhenFull(st: RunState): void {
    if (st.windowTimer || st.book.active() < this.opts.scenario.sessions) return;
    st.windowTimer = this.clock.setTimeout(() => {
      st.book.markWindowStart();
      st.warmedUpAtMs = this.clock.now() - st.t0;
    }, this.opts.scenario.warmupS * 1000);
  }

  /**
   * Launches each step on schedule, even when earlier joins are slow: a struggling host must show
   * up as late joins and lost quality, not as a quietly stretched ramp. With stopAtKnee, the step
   * that just ended is judged first and a broken one ends the run.
   */
  private async ramp(st: RunState): Promise<void> {
    const { scenario } = this.opts;
    const runtime = st.runtime!;
    this.setPhase(st, 'ramp');
    for (const step of launchPlan(scenario)) {
      if (st.stop.signal.aborted) break;
      await sleepOn(this.clock, st.t0 + step.atS * 1000 - this.clock.now(), st.stop.signal);
      if (st.stop.signal.aborted) break;
      const knee = step.index > 0 && scenario.stopAtKnee ? this.judge(st, step.index - 1) : null;
      if (knee) {
        this.emit('info', knee.loadSide
          ? `the ramp stops at ${knee.sessions} sessions: the load side broke first (${knee.loadSide.join('; ')}); the agents' knee was not reached`
          : `knee at ${knee.sessions} sessions: ${knee.broke.join('; ')}`);
        st.stop.abort();
        break;
      }
      // A shard's step may bring none of its sessions: it keeps the time, launches nothing.
      if (step.to > step.from) st.launches.push(runtime.launch(step.from, step.to, st.stop.signal));
    }
    this.setPhase(st, 'hold');
  }

  /** Holds until the run's duration, a signal or the server dying; then judges the last step. */
  private async hold(st: RunState): Promise<void> {
    const { scenario, signal } = this.opts;
    await sleepOn(this.clock, st.t0 + scenario.durationS * 1000 - this.clock.now(), st.stop.signal);
    st.stop.abort();
    await Promise.all(st.launches);
    if (signal.aborted) st.invalid.push('interrupted');
    else if (!st.kneeStop && scenario.stopAtKnee) {
      // The last step runs to the end of the run; judge it too, so "no knee up to the cap" is a finding.
      this.judge(st, launchPlan(scenario).length - 1);
    }
  }

  /** Judges step `index` from what has been gathered so far; a broken step becomes the run's kneeStop. */
  private judge(st: RunState, index: number): KneeStop | null {
    const { scenario, judgeStep } = this.opts;
    if (!judgeStep || !st.recorder) return null;
    const judged = judgeStepSoFar(index, {
      startedAt: st.startedAt, endedAt: this.clock.wall(), requestedSessions: scenario.sessions,
      ramp: { step: scenario.rampStep, everyS: scenario.rampEveryS, settleS: scenario.rampSettleS },
      sessions: st.book.all(), marks: st.marks, segments: this.opts.segments,
    }, st.recorder.samples, judgeStep, this.confinementInfo(st));
    const knee = kneeStopOf(index, judged);
    if (knee) {
      st.kneeFromS = judged.fromS;
      st.kneeStop = knee;
    }
    return knee;
  }

  private confinementInfo(st: RunState): Confinement | null {
    return st.cgroup?.info ?? null;
  }

  /** Stops in reverse: the human room, the runtime (users, then agents), the recorder, the server, the cgroup. */
  private async tearDown(st: RunState): Promise<void> {
    if (st.windowTimer) this.clock.clearTimeout(st.windowTimer);
    st.stoppingAtMs = this.clock.now() - st.t0;
    this.setPhase(st, 'stopping');
    await this.opts.human?.stop().catch((err: Error) => st.invalid.push(`human room: ${err.message}`));
    await st.runtime?.stop();
    await st.recorder?.stop();
    await st.server?.stop();
    await st.cgroup?.remove();
  }

  /** Folds what was recorded into the result. */
  private finish(st: RunState, server: ServerHandle, recorder: SampleRecorder): { result: RunResult; samples: Sample[]; input: RunInput } {
    const { scenario } = this.opts;
    const endedAt = this.clock.wall();
    const samples = [...recorder.samples];
    const input: RunInput = {
      scenario: scenario.name, startedAt: st.startedAt, endedAt, host: this.host, target: scenario.target,
      server: { mode: server.mode, version: server.version, url: server.url },
      network: this.opts.network,
      // A ramp stopped at its knee asked for the sessions it had launched, not its cap.
      requestedSessions: st.kneeStop ? st.book.all().length : scenario.sessions,
      kneeStop: st.kneeStop,
      holdFromMs: windowStartMs({
        knee: st.kneeStop ? { fromS: st.kneeFromS } : null, warmedUpAtMs: st.warmedUpAtMs, lastJoinAt: lastJoinAt(st.book.all()),
        startedAt: st.startedAt, rampEndS: rampEndS(scenario), warmupS: scenario.warmupS,
      }),
      holdToMs: st.stoppingAtMs,
      toneHz: scenario.toneHz, segments: this.opts.segments, sessions: st.book.all(), samples,
      ramp: { step: scenario.rampStep, everyS: scenario.rampEveryS, settleS: scenario.rampSettleS },
      marks: st.marks, generatorLoopDelay: st.book.generatorLoopDelays(), confinement: this.confinementInfo(st),
      invalidReasons: st.invalid, interrupted: this.opts.signal.aborted,
    };
    const human = this.opts.human;
    if (human) st.invalid.push(...human.invalidReasons());
    const runtime = st.runtime?.resultPart({ startedAt: st.startedAt, endedAt, samples }) ?? {};
    const result = assembleResult(input, { runtime, human: human ? human.summary() : null, agentsReadRemotely: this.opts.agentsSource !== undefined });
    if (this.opts.agentsSource) result.perSession.basis += `; the agents' CPU and memory read from ${describeSource(this.opts.agentsSource)}, not /proc`;
    return { result, samples, input };
  }
}
