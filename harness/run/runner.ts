import { randomBytes } from 'node:crypto';
import { EventEmitter } from 'node:events';
import path from 'node:path';
import { aggregate } from '../results/aggregate.js';
import type { QosMark, RunInput, RunResult, Segment } from '../results/types.js';
import { writeReport } from '../report/write.js';
import { SampleRecorder } from '../sampling/recorder.js';
import type { Sample } from '../sampling/types.js';
import { rampEndS, type Scenario } from '../scenario/schema.js';
import type { ServerHandle } from '../server/types.js';
import { WorkerFleet } from '../workers/pool.js';
import { summarizeWorkers } from '../workers/summary.js';
import { Fleet } from './fleet.js';
import { hostInfo } from './host.js';
import { SessionBook } from './sessions.js';
import { sleep } from './wait.js';

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
 * emits ('progress', 'warning', 'phase'); it never prints.
 */
export class Runner extends EventEmitter {
  private marks: QosMark[] = [];

  constructor(private readonly opts: RunOptions) {
    super();
  }

  async run(): Promise<{ result: RunResult; files: string[] }> {
    const { scenario, outDir, signal } = this.opts;
    const t0 = performance.now();
    const startedAt = Date.now();
    const book = new SessionBook();
    const invalid: string[] = [];
    let server: ServerHandle | null = null;
    let fleet: Fleet | WorkerFleet | null = null;
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
      fleet = scenario.pool.runtime === 'bare'
        ? new Fleet(scenario, server, book, this.opts.speechPath, runId)
        : new WorkerFleet({ scenario, server, book, speechPath: this.opts.speechPath, runId, outDir, runT0: t0, hostCores: hostInfo().cores });
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
      phase = 'ramp';
      this.emit('phase', phase);
      // Steps fire on schedule even when earlier joins are slow: a struggling host must show
      // up as late joins and lost quality, not as a quietly stretched ramp.
      const steps = Math.ceil(scenario.sessions / scenario.rampStep);
      const launches: Promise<void>[] = [];
      for (let k = 0; k < steps && !stop.signal.aborted; k++) {
        await sleep(t0 + k * scenario.rampEveryS * 1000 - performance.now(), stop.signal);
        if (stop.signal.aborted) break;
        launches.push(f.launch(k * scenario.rampStep, Math.min(scenario.sessions, (k + 1) * scenario.rampStep), stop.signal));
      }
      phase = 'hold';
      this.emit('phase', phase);
      await sleep(t0 + scenario.durationS * 1000 - performance.now(), stop.signal);
      stop.abort();
      await Promise.all(launches);
      if (signal.aborted) invalid.push('interrupted');
      signal.removeEventListener('abort', onAbort);
    } catch (err) {
      fatal = err as Error;
      invalid.push(`harness error: ${fatal.message}`);
    } finally {
      if (windowTimer) clearTimeout(windowTimer);
      phase = 'stopping';
      this.emit('phase', phase);
      await fleet?.stop();
      await recorder?.stop();
      await server?.stop();
    }
    // Nothing was measured: there is no report to write.
    if (!server || !recorder) throw fatal ?? new Error('run ended before it started');
    const lastJoin = lastJoinAt(book);
    const holdFromMs = windowFromMs ?? (lastJoin === null ? rampEndS(scenario) * 1000 : lastJoin - startedAt) + scenario.warmupS * 1000;
    const input: RunInput = {
      scenario: scenario.name,
      startedAt,
      endedAt: Date.now(),
      host: hostInfo(),
      target: scenario.target,
      server: { mode: server.mode, version: server.version, url: server.url },
      network: this.opts.network,
      requestedSessions: scenario.sessions,
      holdFromMs,
      toneHz: scenario.toneHz,
      segments: this.opts.segments,
      sessions: book.all(),
      samples: [...recorder.samples],
      ramp: { step: scenario.rampStep, everyS: scenario.rampEveryS, settleS: scenario.rampSettleS },
      marks: this.marks,
      generatorLoopDelay: book.generatorLoopDelays(),
      invalidReasons: invalid,
      interrupted: signal.aborted,
    };
    const result = aggregate(input);
    if (fleet instanceof WorkerFleet) {
      result.workers = summarizeWorkers(fleet.input(), startedAt, input.endedAt, input.samples.map((s) => ({ at: s.t, cores: s.system.cpuCores })));
      result.perSession.basis += `; ${scenario.pool.runtime} runtime: the agents role is the workers' whole process trees, their fixed cost included (see workers.perJob and workers.fixedPerWorker)`;
    }
    const files = await writeReport(outDir, result);
    // A fault mid-run still leaves its partial report behind, then surfaces.
    if (fatal) throw Object.assign(fatal, { reportDir: outDir });
    return { result, files: [path.join(outDir, 'samples.jsonl'), ...files] };
  }
}
