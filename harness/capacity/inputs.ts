/**
 * The sizing flags an operator gives (`--load-threshold`, `--peak-sessions`, `--arrival-rate`,
 * `--pod-start`, `--session-length`, `--target`), parsed into SizingInputs with the defaults
 * filled in. Bad values are a UsageError: one line naming the flag and the fix, exit 2.
 */
import { UsageError } from '../common/errors.js';
import { parseDuration, parseHostSize } from '../scenario/duration.js';
import type { SizingInputs } from './types.js';

/** node:util parseArgs options for the sizing flags, to merge into a command's own options. */
export const SIZING_OPTIONS = {
  'load-threshold': { type: 'string' },
  'peak-sessions': { type: 'string' },
  'arrival-rate': { type: 'string' },
  'pod-start': { type: 'string' },
  'session-length': { type: 'string' },
  target: { type: 'string' },
} as const;

export type SizingFlagValues = Partial<Record<keyof typeof SIZING_OPTIONS, string | boolean | undefined>>;

/**
 * Defaults. loadThreshold 0.7 is what @livekit/agents 1.9 ships (Default.loadThreshold in
 * production); LiveKit's deployment page still says 0.75. podStartS 60 is an assumption, not a
 * measurement: pass your own (a pod's Ready time minus its scheduling time). sessionLengthS is the
 * issue's 10 minutes.
 */
export const SIZING_DEFAULTS = {
  loadThreshold: 0.7,
  loadThresholdSource: 'default of @livekit/agents 1.9 (LiveKit\'s deployment page says 0.75; change with --load-threshold)',
  podStartS: 60,
  sessionLengthS: 600,
} as const;

/** Help text lines for the sizing flags. */
export const SIZING_HELP = `sizing flags:
  --load-threshold X        the workers' load_threshold, 0 < X ≤ 1 (default 0.7, @livekit/agents 1.9)
  --peak-sessions N         concurrent sessions at your peak (sizes replicas and maxReplicas)
  --arrival-rate R          new sessions per second at peak, fleet-wide (e.g. 0.5 or 30/min)
  --pod-start D             time from a scale-up decision until a new worker takes jobs (default 60s)
  --session-length D        p99 session length (default 10m): sets terminationGracePeriodSeconds
  --target CcGg             the worker host to size for (default: the run's target, e.g. 4c8g)
`;

function text(flag: string, v: string | boolean | undefined): string | undefined {
  if (v === undefined) return undefined;
  if (typeof v !== 'string') throw new UsageError(`--${flag} needs a value`);
  return v;
}

function threshold(v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  const x = Number(v);
  if (!/^\d*\.?\d+$/.test(v.trim()) || !(x > 0 && x <= 1)) {
    throw new UsageError(`--load-threshold: '${v}' must be a number above 0 and at most 1, e.g. 0.7`);
  }
  return x;
}

function wholePositive(flag: string, v: string | undefined): number | null {
  if (v === undefined) return null;
  if (!/^\d+$/.test(v.trim()) || Number(v) < 1) throw new UsageError(`--${flag}: '${v}' must be a whole number of at least 1`);
  return Number(v);
}

/** Sessions per second from "0.5", "0.5/s" or "30/min". */
function rate(v: string | undefined): number | null {
  if (v === undefined) return null;
  const m = /^(\d*\.?\d+)\s*(\/s|\/min)?$/.exec(v.trim());
  const x = m ? Number(m[1]) / (m[2] === '/min' ? 60 : 1) : NaN;
  if (!(x > 0)) throw new UsageError(`--arrival-rate: '${v}' must be new sessions per second above 0, e.g. 0.5 or 30/min`);
  return x;
}

function positiveDuration(flag: string, v: string | undefined, min: number): number | undefined {
  if (v === undefined) return undefined;
  const s = parseDuration(v, `--${flag}`);
  if (!(s >= min)) throw new UsageError(`--${flag}: '${v}' must be at least ${min} s`);
  return s;
}

/** SizingInputs from parsed flag values (absent flags take the defaults). */
export function sizingInputs(values: SizingFlagValues): SizingInputs {
  const lt = threshold(text('load-threshold', values['load-threshold']));
  const target = text('target', values.target);
  const inputs: SizingInputs = {
    loadThreshold: lt ?? SIZING_DEFAULTS.loadThreshold,
    loadThresholdSource: lt === undefined ? SIZING_DEFAULTS.loadThresholdSource : '--load-threshold',
    peakSessions: wholePositive('peak-sessions', text('peak-sessions', values['peak-sessions'])),
    arrivalRate: rate(text('arrival-rate', values['arrival-rate'])),
    podStartS: positiveDuration('pod-start', text('pod-start', values['pod-start']), 0) ?? SIZING_DEFAULTS.podStartS,
    sessionLengthS: positiveDuration('session-length', text('session-length', values['session-length']), 1) ?? SIZING_DEFAULTS.sessionLengthS,
  };
  if (target !== undefined) inputs.target = { ...parseHostSize(target, '--target'), label: target.trim().toLowerCase() };
  return inputs;
}

/** The defaults, as SizingInputs. */
export function defaultSizingInputs(): SizingInputs {
  return sizingInputs({});
}
