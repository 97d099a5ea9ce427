import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { UsageError } from '../common/errors.js';
import { paths } from '../common/paths.js';
import { MAX_DURATION_S, parseDuration } from './duration.js';
import { DEFAULTS, MIN_MEASURED_S, rampEndS, validateScenario, type Scenario, type ScenarioSpec } from './schema.js';

/** Names of the scenarios shipped in scenarios/ (compiled into dist/scenarios). */
export async function listScenarios(dir = paths.scenarios): Promise<string[]> {
  const files = await readdir(dir).catch(() => [] as string[]);
  return files.filter((f) => f.endsWith('.js')).map((f) => f.slice(0, -3)).sort();
}

/**
 * Loads a named scenario, applies overrides (from flags), validates the whole.
 * @param say hears what was adjusted for the flags (a duration lengthened to fit their ramp)
 */
export async function loadScenario(name: string, overrides: Partial<ScenarioSpec> = {}, dir = paths.scenarios, say: (line: string) => void = () => undefined): Promise<Scenario> {
  const known = await listScenarios(dir);
  if (!known.includes(name)) {
    throw new UsageError(`unknown scenario '${name}'; known scenarios: ${known.join(', ') || '(none found: run npm run build)'}`);
  }
  const file = path.join(dir, `${name}.js`);
  const mod = (await import(pathToFileURL(file).href)) as { default?: unknown };
  const spec = mod.default;
  const label = `scenarios/${name}.ts`;
  if (typeof spec !== 'object' || spec === null) throw new UsageError(`${label}: must export a scenario object as default`);
  const adjusted = workerSteps(spec as ScenarioSpec, overrides, say);
  const merged = { ...(spec as ScenarioSpec), ...adjusted };
  if (adjusted.ramp) merged.ramp = { ...(spec as ScenarioSpec).ramp, ...adjusted.ramp };
  try {
    return validateScenario(fitDuration(spec as ScenarioSpec, merged, adjusted, label, say), label);
  } catch (err) {
    throw err instanceof UsageError ? new UsageError(blameFlag(err.message, label, overrides)) : err;
  }
}

/** Runtimes whose agents run in a worker this run starts, each job in a process the worker starts. */
const WORKER_RUNTIMES: readonly string[] = ['framework', 'python', 'byo', 'container'];
/**
 * The shortest ramp step for such a worker, seconds. Measured with a Python livekit-agents 1.8.9
 * worker on 2 cores (`ramp --ramp-step 1`): with 60 s steps 1 ramp in 2 kept the 3 steady steps a fit
 * needs (the step's CPU drifted past the steadiness rule); with 90 s, 5 ramps in 6 did
 * (docs/performance.md).
 */
export const WORKER_STEP_S = 90;

/**
 * A knee ramp run on a worker runtime steps every WORKER_STEP_S at least, unless --ramp-every says
 * otherwise; the duration then grows to fit (fitDuration). Returns the overrides with that step.
 */
function workerSteps(spec: ScenarioSpec, overrides: Partial<ScenarioSpec>, say: (line: string) => void): Partial<ScenarioSpec> {
  const runtime = overrides.runtime ?? spec.runtime ?? 'bare';
  if (!WORKER_RUNTIMES.includes(runtime) || !(overrides.stopAtKnee ?? spec.stopAtKnee) || overrides.ramp?.every !== undefined) return overrides;
  // The file's step, or the default one when the file sets none; a bad value is left for validateScenario to name.
  const every = spec.ramp?.every ?? DEFAULTS.ramp.every;
  if (typeof every !== 'string' || !(secondsOr(every, Infinity) < WORKER_STEP_S)) return overrides;
  say(`ramp steps of ${WORKER_STEP_S} s, not ${every}: a worker's job processes need the longer step to settle; --ramp-every sets it`);
  return { ...overrides, ramp: { ...overrides.ramp, every: `${WORKER_STEP_S}s` } };
}

/** A duration in seconds, or `fallback` when it does not parse. */
function secondsOr(text: string, fallback: number): number {
  try {
    return parseDuration(text, 'ramp.every');
  } catch {
    return fallback;
  }
}

/**
 * A flag that lengthens the ramp (--ramp-step, --ramp-every, --sessions, or a worker runtime's longer
 * step, workerSteps) past the scenario's duration, without --duration, keeps the scenario's own time
 * after the ramp: the duration grows with the ramp instead of refusing the run.
 * For a ramp that stops at the knee the duration is only a cap. An explicit --duration is left as given.
 */
function fitDuration(spec: ScenarioSpec, merged: ScenarioSpec, overrides: Partial<ScenarioSpec>, label: string, say: (line: string) => void): ScenarioSpec {
  if (overrides.duration !== undefined || (overrides.ramp === undefined && overrides.sessions === undefined)) return merged;
  const own = validateScenario(spec, label);
  const after = own.durationS - rampEndS(own) - own.warmupS;
  const flagged = validateScenario({ ...merged, duration: `${MAX_DURATION_S}s` }, label);
  // Only where the file's duration cannot hold the flags' ramp (the run would be refused).
  if (rampEndS(flagged) + flagged.warmupS + MIN_MEASURED_S <= own.durationS) return merged;
  const needed = Math.ceil(rampEndS(flagged) + flagged.warmupS + Math.max(after, MIN_MEASURED_S));
  if (needed > MAX_DURATION_S) return merged;
  say(`duration ${own.durationS} s → ${needed} s to fit the ramp (${flagged.sessions} sessions at +${flagged.rampStep} every ${flagged.rampEveryS} s)` +
    (flagged.stopAtKnee ? '; a cap: the ramp stops at the knee' : '') + '; --duration sets it');
  return { ...merged, duration: `${needed}s` };
}

/** Scenario keys that a flag can set, and the flag. */
const FLAG_OF: Record<string, string> = {
  sessions: '--sessions', duration: '--duration', warmup: '--warmup', usersPerGenerator: '--users-per-generator',
  joinConcurrency: '--join-concurrency', target: '--target', toneHz: '--tone-hz', 'ramp.step': '--ramp-step', 'ramp.every': '--ramp-every',
  runtime: '--runtime', workers: '--workers', workerCmd: '--worker-cmd', loadFunc: '--load-func', arrival: '--arrival',
  loadThreshold: '--load-threshold', stopAtKnee: '--ramp',
};

/** Whether scenario key `key` (dotted for ramp keys) was set by a flag. */
function overridden(key: string, overrides: Partial<ScenarioSpec>): boolean {
  const [top, sub] = key.split('.');
  if (sub === undefined) return top !== undefined && top in overrides;
  return (overrides.ramp as Record<string, unknown> | undefined)?.[sub] !== undefined;
}

/**
 * A bad value that came from a flag is reported against the flag, not the scenario file the user
 * did not touch: "scenarios/x.ts: 'sessions' must be ..." becomes "--sessions must be ...", and a
 * rule between keys ("runtime 'byo' needs a worker command") names the flags it involves.
 */
export function blameFlag(message: string, label: string, overrides: Partial<ScenarioSpec>): string {
  const prefix = `${label}: `;
  if (!message.startsWith(prefix)) return message;
  const rest = message.slice(prefix.length);
  const m = /^'([\w.]+)'(:?) (.*)$/.exec(rest);
  const key = m?.[1];
  if (m && key && overridden(key, overrides) && FLAG_OF[key]) return `${FLAG_OF[key]}${m[2]} ${m[3]}`;
  const named = Object.entries(FLAG_OF)
    // Named as the flag, as the quoted key, or as the key before its quoted value ("runtime 'byo' needs …").
    .filter(([k, flag]) => overridden(k, overrides) && (rest.includes(flag) || rest.includes(`'${k}'`) || new RegExp(`(^|\\s)${k.replace('.', '\\.')} '`).test(rest)))
    .map(([, flag]) => flag);
  return named.length > 0 ? `${named.join(', ')}: ${rest}` : message;
}
