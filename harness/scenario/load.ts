import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { UsageError } from '../common/errors.js';
import { paths } from '../common/paths.js';
import { validateScenario, type Scenario, type ScenarioSpec } from './schema.js';

/** Names of the scenarios shipped in scenarios/ (compiled into dist/scenarios). */
export async function listScenarios(dir = paths.scenarios): Promise<string[]> {
  const files = await readdir(dir).catch(() => [] as string[]);
  return files.filter((f) => f.endsWith('.js')).map((f) => f.slice(0, -3)).sort();
}

/** Loads a named scenario, applies overrides (from flags), validates the whole. */
export async function loadScenario(name: string, overrides: Partial<ScenarioSpec> = {}, dir = paths.scenarios): Promise<Scenario> {
  const known = await listScenarios(dir);
  if (!known.includes(name)) {
    throw new UsageError(`unknown scenario '${name}'; known scenarios: ${known.join(', ') || '(none found: run npm run build)'}`);
  }
  const file = path.join(dir, `${name}.js`);
  const mod = (await import(pathToFileURL(file).href)) as { default?: unknown };
  const spec = mod.default;
  const label = `scenarios/${name}.ts`;
  if (typeof spec !== 'object' || spec === null) throw new UsageError(`${label}: must export a scenario object as default`);
  const merged = { ...(spec as ScenarioSpec), ...overrides };
  if (overrides.ramp) merged.ramp = { ...(spec as ScenarioSpec).ramp, ...overrides.ramp };
  try {
    return validateScenario(merged, label);
  } catch (err) {
    throw err instanceof UsageError ? new UsageError(blameFlag(err.message, label, overrides)) : err;
  }
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
