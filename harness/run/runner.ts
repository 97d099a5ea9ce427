import { randomBytes } from 'node:crypto';
import { EventEmitter } from 'node:events';
import path from 'node:path';
import type { HumanHook } from '../human/types.js';
import { aggregate } from '../results/aggregate.js';
import { summariseSteps } from '../results/steps.js';
import type { Confinement, KneeStop, QosMark, RunInput, RunResult, Segment, StepSummary } from '../results/types.js';
import { writeReport } from '../report/write.js';
import { SampleRecorder } from '../sampling/recorder.js';
import type { Sample } from '../sampling/types.js';
import { rampEndS, type Scenario } from '../scenario/schema.js';
import type { ServerHandle } from '../server/types.js';
import { createCgroup, shouldConfine, type Cgroup } from './confine.js';
import { WorkerFleet } from '../runtimes/workers/pool.js';
import { summarizeWorkers } from '../runtimes/workers/summary.js';
import { Fleet } from '../runtimes/bare.js';
import { hostInfo } from '../sampling/host.js';
import { SessionBook } from '../sessions/book.js';
import { sleep } from '../common/wait.js';

/** Everything one run needs; built by the CLI from flags and the environment. */
export interface RunOptions {
  scenario: Scenario;
  speechPath: string;
  segments: Segment[];
  outDir: string;
  /** Starts (or connects to) the server; called once the report folder exists. */
  startServer: () => Promise<ServerHandle>;
  network: RunInput['network'];
  /** Aborting it (Ctrl-C, SIGTERM) stops the run and writes a partial report. */
  signal: AbortSignal;
  /** Confine the agents to the target's size when this host is bigger (default true). */
  confine?: boolean;
  /**
   * With scenario.stopAtKnee: judges each finished ramp step and returns what broke in it (empty:
   * the ramp goes on). The first broken step ends the run there.
   */
  judgeStep?: (step: StepSummary, confinement: Confinement | null) => string[];
  /** One more room with its own agent, for a person or the headless probe (`--human`, `--human-probe`). */
  human?: HumanHook;
}

/** Epoch ms at which the last session to join had both its agent and its user in the room. */
function lastJoinAt(book: SessionBook): number | null {
  const times = book.all().flatMap((r) => (r.agentJoinedAt !== null && r.userJoinedAt !== null ? [Math.max(r.agentJoinedAt, r.userJoinedAt)] : []));
  return times.length ? Math.max(...times) : null;
}

/** Progress of a run, emitted with every sample. */
export interface Progress { elapsedS: number; totalS: number; joined: number; requested: number; cpuCores: number; phase: string }

/**
 * Runs one scenario: server, ramp of sessions, sampling, stop, aggregation, report. It records and
 * emits ('progress', 'warning', 'info', 'phase'); it never prints.
 */
export class Runner extends EventEmitter {
  private marks: QosMark[] = [];
  /** The agents' cgroup, once made: the knee judge needs the cores they had. */
  private confined: Confinement | null = null;

  constructor(private readonly opts: RunOptions) {
    super();
  }

  /**
   * On a host bigger than the target the agents run in a cgroup of the target's size. When that
   * cannot be made the run goes on unconfined, and the report says its figures are this host's.
   */
  private async confinement(runId: string, invalid: string[]): Promise<Cgroup | null> {
    const { scenario } = this.opts;
    const host = hostInfo();
    if (this.opts.confine === false || !shouldConfine(host, scenario.target)) return null;
    try {
      const cg = await createCgroup(scenario.target, `voiceload-${runId}`);
      this.emit('info', `agents confined to ${scenario.targetLabel} (${cg.info.kind})`);
      return cg;
    } catch (err) {
      const why = `this host (${host.cores} cores) is bigger than the target ${scenario.targetLabel} but the agents could not be confined to it: ${(err as Error).message}`;
      this.emit('warning', why);
      invalid.push(why);
      return null;
    }
  }

  /** One ramp step's figures from what has been gathered so far (the run is still going). */
  private judgeSoFar(index: number, book: SessionBook, samples: readonly Sample[], startedAt: number): { sessions: number; broke: string[]; fromS: number | null } {
    const { scenario } = this.opts;
    const step = summariseSteps({
      startedAt, endedAt: Date.now(), requestedSessions: Math.min(scenario.sessions, (index + 1) * scenario.rampStep),
      ramp: { step: scenario.rampStep, everyS: scenario.rampEveryS, settleS: scenario.rampSettleS },
      sessions: book.all(), marks: this.marks, segments: this.opts.segments,
    }, samples)[index];
    if (!step) return { sessions: 0, broke: [], fromS: null };
    return { sessions: step.sessions, broke: this.opts.judgeStep?.(step, this.confined) ?? [], fromS: step.fromS };
  }

  async run(): Promise<{ result: RunResult; files: string[] }> {
    const { scenario, outDir, signal } = this.opts;
    const t0 = performance.now();
    const startedAt = Date.now();
    const book = new SessionBook();
    const invalid: string[] = [];
    let server: ServerHandle | null = null;
    let fleet: Fleet | WorkerFleet | null = null;
    let kneeStop: RunInput['kneeStop'] = null;
    /** Start of the knee step's settled part, s: a ramp stopped at its knee is measured over it. */
    let kneeFromS: number | null = null;
    let cgroup: Cgroup | null = null;
    let recorder: SampleRecorder | null = null;
    let phase = 'starting server';
    let fatal: Error | null = null;
    let windowTimer: NodeJS.Timeout | null = null;
    let windowFromMs: number | null = null;
    try {
      this.emit('phase', phase);
      server = await this.opts.startServer();
      const died = server.died.then((why) => void invalid.push(why));
      const stop = new AbortController();
      const onAbort = () => stop.abort();
      signal.addEventListener('abort', onAbort, { once: true });
      void died.then(() => stop.abort());
      const runId = `vl-${randomBytes(3).toString('hex')}`;
      cgroup = await this.confinement(runId, invalid);
      const cg = cgroup;
      this.confined = cg?.info ?? null;
      const confine = cg ? (pid: number) => cg.add(pid) : undefined;
      fleet = scenario.pool.runtime === 'bare'
        ? new Fleet(scenario, server, book, this.opts.speechPath, runId, confine)
        : new WorkerFleet({ scenario, server, book, speechPath: this.opts.speechPath, runId, outDir, runT0: t0, hostCores: hostInfo().cores, onWorkerPid: confine });
      fleet.on('warning', (w: string) => this.emit('warning', w));
      if (fleet instanceof WorkerFleet) {
        phase = 'starting workers';
        this.emit('phase', phase);
        await fleet.start();
      }
      const f = fleet;
      const srv = server;
      recorder = new SampleRecorder({
        file: path.join(outDir, 'samples.jsonl'),
        roots: () => ({ ...f.pids(), server: srv.pid ? [srv.pid] : [], harness: [process.pid] }),
        activeSessions: () => book.active(),
      });
      recorder.on('warning', (w: string) => this.emit('warning', `sampler: ${w}`));
      const marks: QosMark[] = [];
      this.marks = marks;
      recorder.on('sample', (s: Sample) => marks.push(book.mark(s.elapsedMs)));
      recorder.on('sample', (s: Sample) => this.emit('progress', { elapsedS: s.elapsedMs / 1000, totalS: scenario.durationS, joined: s.activeSessions, requested: scenario.sessions, cpuCores: s.system.cpuCores, phase } satisfies Progress));
      // The window opens `warmup` after every session has joined; QoS histograms are
      // snapshotted then so start-up bursts do not count as steady-state quality.
      recorder.on('sample', () => {
        if (windowTimer || book.active() < scenario.sessions) return;
        windowTimer = setTimeout(() => {
          book.markWindowStart();
          windowFromMs = performance.now() - t0;
        }, scenario.warmupS * 1000);
      });
      recorder.start();
      await this.opts.human?.start({ server, runId, startedAt, activeSessions: () => book.active(), allowedAddrs: this.opts.network.allowedAddrs });
      phase = 'ramp';
      this.emit('phase', phase);
      // Steps fire on schedule even when earlier joins are slow: a struggling host must show
      // up as late joins and lost quality, not as a quietly stretched ramp.
      const steps = Math.ceil(scenario.sessions / scenario.rampStep);
      const launches: Promise<void>[] = [];
      const rec = recorder;
      /** Judges step `index` from what has been gathered so far; a broken step becomes the run's kneeStop. */
      const broken = (index: number): KneeStop | null => {
        const judged = this.judgeSoFar(index, book, rec.samples, startedAt);
        if (judged.broke.length === 0) return null;
        kneeFromS = judged.fromS;
        return (kneeStop = { stepIndex: index, sessions: judged.sessions, broke: judged.broke });
      };
      for (let k = 0; k < steps && !stop.signal.aborted; k++) {
        await sleep(t0 + k * scenario.rampEveryS * 1000 - performance.now(), stop.signal);
        if (stop.signal.aborted) break;
        const knee = k > 0 && scenario.stopAtKnee && this.opts.judgeStep ? broken(k - 1) : null;
        if (knee) {
          this.emit('info', `the ramp stops at ${knee.sessions} sessions: ${knee.broke.join('; ')}`);
          stop.abort();
          break;
        }
        launches.push(f.launch(k * scenario.rampStep, Math.min(scenario.sessions, (k + 1) * scenario.rampStep), stop.signal));
      }
      phase = 'hold';
      this.emit('phase', phase);
      await sleep(t0 + scenario.durationS * 1000 - performance.now(), stop.signal);
      stop.abort();
      await Promise.all(launches);
      if (signal.aborted) invalid.push('interrupted');
      else if (!kneeStop && scenario.stopAtKnee && this.opts.judgeStep) {
        // The last step runs to the end of the run; judge it too, so "no knee up to the cap" is a finding.
        broken(steps - 1);
      }
      signal.removeEventListener('abort', onAbort);
    } catch (err) {
      fatal = err as Error;
      invalid.push(`harness error: ${fatal.message}`);
    } finally {
      if (windowTimer) clearTimeout(windowTimer);
      phase = 'stopping';
      this.emit('phase', phase);
      await this.opts.human?.stop().catch((err: Error) => invalid.push(`human room: ${err.message}`));
      await fleet?.stop();
      await recorder?.stop();
      await server?.stop();
      await cgroup?.remove();
    }
    // Nothing was measured: there is no report to write.
    if (!server || !recorder) throw fatal ?? new Error('run ended before it started');
    const lastJoin = lastJoinAt(book);
    // A ramp stopped at its knee is measured over its last step's settled part: that is its hold.
    const kneeFromMs = kneeStop ? (kneeFromS ?? 0) * 1000 : null;
    const holdFromMs = kneeFromMs ?? windowFromMs ?? (lastJoin === null ? rampEndS(scenario) * 1000 : lastJoin - startedAt) + scenario.warmupS * 1000;
    const input: RunInput = {
      scenario: scenario.name,
      startedAt,
      endedAt: Date.now(),
      host: hostInfo(),
      target: scenario.target,
      server: { mode: server.mode, version: server.version, url: server.url },
      network: this.opts.network,
      // A ramp stopped at its knee asked for the sessions it had launched, not its cap.
      requestedSessions: kneeStop ? book.all().length : scenario.sessions,
      kneeStop,
      holdFromMs,
      toneHz: scenario.toneHz,
      segments: this.opts.segments,
      sessions: book.all(),
      samples: [...recorder.samples],
      ramp: { step: scenario.rampStep, everyS: scenario.rampEveryS, settleS: scenario.rampSettleS },
      marks: this.marks,
      generatorLoopDelay: book.generatorLoopDelays(),
      confinement: cgroup?.info ?? null,
      invalidReasons: invalid,
      interrupted: signal.aborted,
    };
    const human = this.opts.human;
    if (human) invalid.push(...human.invalidReasons());
    const result = aggregate(input);
    if (fleet instanceof WorkerFleet) {
      result.workers = summarizeWorkers(fleet.input(), startedAt, input.endedAt, input.samples.map((s) => ({ at: s.t, cores: s.system.cpuCores })));
      result.perSession.basis += `; ${scenario.pool.runtime} runtime: the agents role is the workers' whole process trees, their fixed cost included (see workers.perJob and workers.fixedPerWorker)`;
    }
    if (human) result.human = human.summary();
    const files = [...(human?.files() ?? []), ...(await writeReport(outDir, result))];
    // A fault mid-run still leaves its partial report behind, then surfaces.
    if (fatal) throw Object.assign(fatal, { reportDir: outDir });
    return { result, files: [path.join(outDir, 'samples.jsonl'), ...files] };
  }
}
