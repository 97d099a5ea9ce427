import { rampEndSeconds, rampPlan, shardRampPlan, type RampShape, type RampStep } from '../common/ramp.js';
import { UsageError } from '../common/errors.js';
import { parseDuration, parseHostSize } from './duration.js';
import { parseThresholds } from './thresholds.js';
import { POOL_KEYS, validatePool, type PoolSpec } from './pool.js';

/** What a scenario file exports (all optional but `name`): plain data, validated at load. */
export interface ScenarioSpec {
  name: string;
  description?: string;
  /** Sessions at full load: one synthetic user and one agent each, in its own room. */
  sessions?: number;
  /** Sessions added at each ramp step, and the time between steps. */
  /** settle: time after a step's last join left out of that step's figures (default 5 s, at most half a step). */
  ramp?: { step?: number; every?: string; settle?: string };
  /** Total run length, ramp included, e.g. `4m`. */
  duration?: string;
  /** Time after the last session joined that is left out of the measurement window. */
  warmup?: string;
  /** How many synthetic users share one generator process. */
  usersPerGenerator?: number;
  /** Frequency of the tone each agent publishes. */
  toneHz?: number;
  /** The host the report sizes for, `<cores>c<GB>g`. */
  target?: string;
  /** How many sessions may be joining at once. */
  joinConcurrency?: number;
  /** Judge each ramp step and stop the run at the first whose quality broke (the knee); `sessions` is then a cap. */
  stopAtKnee?: boolean;
  /** Gate thresholds on metrics of results.json, e.g. `perSession.cpuCores < 0.15` (see harness/gate/). */
  thresholds?: string[];
  /** Agent workers (see harness/scenario/pool.ts): `bare` (default), `framework`, `python`, `byo`, `container` or `deployed`. */
  runtime?: 'bare' | 'framework' | 'python' | 'byo' | 'container' | 'deployed';
  /** Worker processes in the pool (framework, byo). */
  workers?: number;
  /** Framework workers' load function: `cpu` (LiveKit's default) or `jobs:N`. */
  loadFunc?: string;
  /** Framework workers' loadThreshold (LiveKit's default 0.7). */
  loadThreshold?: number;
  /** byo: the shell command that starts your worker. */
  workerCmd?: string;
  /** container: the worker image started with podman, with the target's limits, beside the harness. */
  workerImage?: string;
  /** deployed: the agent name your deployed workers registered under; the harness starts none. */
  agentName?: string;
  /** Each user leaves this long after joining, e.g. `20s` (worker runtimes). */
  sessionLength?: string;
  /** `step` (each ramp step at once) or `poisson:R/s`. */
  arrival?: string;
  /** A drill on one worker mid-run: `{ kind: 'rollout' | 'failover', at: '15s' }`. */
  drill?: { kind: 'rollout' | 'failover'; at: string };
  /** Framework workers refuse offers while their own load is at or over the threshold. */
  refuseWhenFull?: boolean;
}

/** A validated scenario with every default filled in. Durations are in seconds. */
export interface Scenario {
  name: string;
  description: string;
  sessions: number;
  rampStep: number;
  rampEveryS: number;
  /** Time after a step's last join that is left out of that step's figures. */
  rampSettleS: number;
  durationS: number;
  warmupS: number;
  usersPerGenerator: number;
  toneHz: number;
  target: { cores: number; memoryBytes: number };
  targetLabel: string;
  joinConcurrency: number;
  stopAtKnee: boolean;
  /** Validated gate thresholds, as written. */
  thresholds: string[];
  /** Which agent runtime runs the sessions, and the worker pool's settings. */
  pool: PoolSpec;
  /** Set when this process runs one shard of the scenario (`--shard i/N`): `sessions` is then its share of totalSessions. */
  shard?: { index: number; count: number; totalSessions: number };
}

/** The defaults, in one place. */
export const DEFAULTS = {
  description: '',
  sessions: 2,
  ramp: { step: 5, every: '20s', settle: '5s' },
  duration: '60s',
  warmup: '10s',
  usersPerGenerator: 10,
  toneHz: 440,
  target: '4c8g',
  joinConcurrency: 4,
  stopAtKnee: false,
  thresholds: [] as readonly string[],
} as const;

const KEYS = ['name', 'description', 'sessions', 'ramp', 'duration', 'warmup', 'usersPerGenerator', 'toneHz', 'target', 'joinConcurrency', 'stopAtKnee', 'thresholds', ...POOL_KEYS];
const RAMP_KEYS = ['step', 'every', 'settle'];

function rejectUnknown(obj: object, allowed: string[], where: string, file: string): void {
  for (const key of Object.keys(obj)) {
    if (!allowed.includes(key)) {
      throw new UsageError(`${file}: unknown key '${where}${key}'; known keys: ${allowed.join(', ')}`);
    }
  }
}

function positiveInt(value: unknown, key: string, file: string, max: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > max) {
    throw new UsageError(`${file}: '${key}' must be a whole number from 1 to ${max}, got ${JSON.stringify(value)}`);
  }
  return value;
}

function bool(value: unknown, key: string, file: string): boolean {
  if (typeof value !== 'boolean') throw new UsageError(`${file}: '${key}' must be true or false, got ${JSON.stringify(value)}`);
  return value;
}

function str(value: unknown, key: string, file: string): string {
  if (typeof value !== 'string') throw new UsageError(`${file}: '${key}' must be a string, got ${JSON.stringify(value)}`);
  return value;
}

/** Validates a scenario spec (from a file, merged with flag overrides) and fills in the defaults. */
export function validateScenario(spec: unknown, file: string): Scenario {
  if (typeof spec !== 'object' || spec === null || Array.isArray(spec)) {
    throw new UsageError(`${file}: a scenario must be an object`);
  }
  rejectUnknown(spec, KEYS, '', file);
  const s = spec as Record<string, unknown>;
  const ramp = (s.ramp ?? {}) as Record<string, unknown>;
  if (typeof ramp !== 'object' || ramp === null) throw new UsageError(`${file}: 'ramp' must be an object`);
  rejectUnknown(ramp, RAMP_KEYS, 'ramp.', file);
  const name = str(s.name, 'name', file);
  const sessions = positiveInt(s.sessions ?? DEFAULTS.sessions, 'sessions', file, 500);
  const rampStep = positiveInt(ramp.step ?? DEFAULTS.ramp.step, 'ramp.step', file, 500);
  const rampEveryS = parseDuration(str(ramp.every ?? DEFAULTS.ramp.every, 'ramp.every', file), `${file}: 'ramp.every'`);
  if (rampEveryS <= 0) throw new UsageError(`${file}: 'ramp.every' must be longer than 0s, got ${JSON.stringify(ramp.every)}`);
  // Unset, settle is 5 s or half a step, whichever is shorter, so a quick ramp still has a settled part.
  const rampSettleS = ramp.settle === undefined
    ? Math.min(parseDuration(DEFAULTS.ramp.settle, 'settle'), rampEveryS / 2)
    : parseDuration(str(ramp.settle, 'ramp.settle', file), `${file}: 'ramp.settle'`);
  const durationS = parseDuration(str(s.duration ?? DEFAULTS.duration, 'duration', file), `${file}: 'duration'`);
  const warmupS = parseDuration(str(s.warmup ?? DEFAULTS.warmup, 'warmup', file), `${file}: 'warmup'`);
  const targetLabel = str(s.target ?? DEFAULTS.target, 'target', file);
  const toneHz = s.toneHz ?? DEFAULTS.toneHz;
  if (typeof toneHz !== 'number' || !Number.isFinite(toneHz) || toneHz < 100 || toneHz > 4000) {
    throw new UsageError(`${file}: 'toneHz' must be a number from 100 to 4000, got ${JSON.stringify(toneHz)}`);
  }
  const scenario: Scenario = {
    name,
    description: str(s.description ?? DEFAULTS.description, 'description', file),
    sessions,
    rampStep,
    rampEveryS,
    rampSettleS,
    durationS,
    warmupS,
    usersPerGenerator: positiveInt(s.usersPerGenerator ?? DEFAULTS.usersPerGenerator, 'usersPerGenerator', file, 100),
    toneHz,
    target: parseHostSize(targetLabel, `${file}: 'target'`),
    targetLabel,
    joinConcurrency: positiveInt(s.joinConcurrency ?? DEFAULTS.joinConcurrency, 'joinConcurrency', file, 64),
    stopAtKnee: bool(s.stopAtKnee ?? DEFAULTS.stopAtKnee, 'stopAtKnee', file),
    // Checked now, against the metrics of results.json: a misspelt name is bad input, never a silent pass.
    thresholds: parseThresholds(s.thresholds ?? DEFAULTS.thresholds, file).map((t) => t.text),
    pool: validatePool(s, file),
  };
  checkTimeline(scenario, file);
  return scenario;
}

/** Seconds from the start until the last ramp step. */
export function rampEndS(s: Pick<Scenario, 'sessions' | 'rampStep' | 'rampEveryS' | 'shard'>): number {
  return rampEndSeconds(rampOf(s));
}

/** The scenario's ramp schedule (see common/ramp.ts); a shard's is the whole run's, its part taken by shardRampPlan. */
export function rampOf(s: Pick<Scenario, 'sessions' | 'rampStep' | 'rampEveryS' | 'shard'>): RampShape {
  return { sessions: s.shard?.totalSessions ?? s.sessions, step: s.rampStep, everyS: s.rampEveryS };
}

/** The steps this process launches: the whole ramp, or a shard's part of it (local session ranges). */
export function launchPlan(s: Pick<Scenario, 'sessions' | 'rampStep' | 'rampEveryS' | 'shard'>): RampStep[] {
  return s.shard ? shardRampPlan(rampOf(s), s.shard) : rampPlan(rampOf(s));
}

/** The least measured time a run must keep after its ramp and warm-up, seconds. */
export const MIN_MEASURED_S = 5;

function checkTimeline(s: Scenario, file: string): void {
  if (s.rampSettleS >= s.rampEveryS && s.sessions > s.rampStep) {
    throw new UsageError(`${file}: 'ramp.settle' (${s.rampSettleS}s) must be shorter than 'ramp.every' (${s.rampEveryS}s), or no step would have a settled part`);
  }
  if (s.durationS < 10) throw new UsageError(`${file}: 'duration' must be at least 10s, got ${s.durationS}s`);
  const needed = rampEndS(s) + s.warmupS + MIN_MEASURED_S;
  if (s.durationS < needed) {
    throw new UsageError(
      `${file}: duration ${s.durationS}s is too short for the ramp (${s.sessions} sessions at +${s.rampStep} every ${s.rampEveryS}s, ` +
        `then ${s.warmupS}s warm-up and at least ${MIN_MEASURED_S}s measured): use --duration ${Math.ceil(needed)}s or more, or a larger --ramp-step`,
    );
  }
}
