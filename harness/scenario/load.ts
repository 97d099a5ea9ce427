import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { UsageError } from '../errors.js';
import { paths } from '../paths.js';
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
  return validateScenario(merged, label);
}
