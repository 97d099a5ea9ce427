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
};

/**
 * A bad value that came from a flag is reported against the flag, not the scenario file the user
 * did not touch: "scenarios/x.ts: 'sessions' must be ..." becomes "--sessions must be ...".
 */
export function blameFlag(message: string, label: string, overrides: Partial<ScenarioSpec>): string {
  const m = new RegExp(`^${label.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: '([\\w.]+)'(:?) (.*)$`).exec(message);
  if (!m) return message;
  const key = m[1] as string;
  const [top, sub] = key.split('.');
  const overridden = sub === undefined ? top !== undefined && top in overrides : (overrides.ramp as Record<string, unknown> | undefined)?.[sub] !== undefined;
  const flag = FLAG_OF[key];
  return overridden && flag ? `${flag}${m[2]} ${m[3]}` : message;
}
