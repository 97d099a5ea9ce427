/**
 * Where the runs a gate or a baseline judges come from: finished report folders, or the scenario
 * run again. Both paths validate everything (names, flags, thresholds) before anything runs.
 */
import { UsageError } from '../common/errors.js';
import { parseScenarioArgs } from './args.js';
import { loadSpeech } from './speech.js';
import { externalFromEnv } from '../server/external.js';
import type { RunResult } from '../results/types.js';
import { listScenarios, loadScenario } from '../scenario/load.js';
import type { Scenario } from '../scenario/schema.js';
import type { GateRun } from '../gate/evaluate.js';
import { parseThresholds, type Threshold } from '../scenario/thresholds.js';

/** A scenario about to be run: validated, with the arguments to hand to `cli.js scenario`. */
export interface PlannedScenario {
  scenario: Scenario;
  /** The scenario's name and its flags, as given (without --out). */
  args: string[];
}

/**
 * Validates the scenario part of the arguments (NAME and override flags); the name may come from
 * elsewhere (a baseline) when none is given.
 */
export async function planScenario(rest: string[], fallbackName: string | null, command: string): Promise<PlannedScenario> {
  const flags = parseScenarioArgs(rest);
  const name = flags.name ?? fallbackName;
  if (name === null) throw new UsageError(`${command}: name a scenario (known: ${(await listScenarios()).join(', ')}) or give --results DIR`);
  const scenario = await loadScenario(name, flags.overrides);
  // What each run would refuse, refused here, before the command makes its folder.
  await loadSpeech(flags.speech);
  externalFromEnv();
  return { scenario, args: flags.name ? rest : [name, ...rest] };
}

/** The scenario and size all finished runs share; runs of several are bad input. */
export function commonScenario(runs: GateRun[], flag: string): { name: string; sessions: number } {
  const results = runs.map((r) => r.result).filter((r): r is RunResult => r !== null);
  const first = results[0];
  if (!first) throw new UsageError(`${flag}: no results to read`);
  for (const [i, r] of results.entries()) {
    if (r.scenario !== first.scenario || r.sessions.requested !== first.sessions.requested) {
      throw new UsageError(`${flag} ${runs[i]?.dir}: ${r.scenario} at ${r.sessions.requested} sessions, but the first is ${first.scenario} at ${first.sessions.requested}; give runs of one scenario`);
    }
  }
  return { name: first.scenario, sessions: first.sessions.requested };
}

/** Refuses scenario flags where finished runs are judged: they would have no effect. */
export function refuseScenarioFlags(rest: string[], flag: string): void {
  if (rest.length > 0) throw new UsageError(`${rest[0]}: has no effect with ${flag} (the runs are finished); drop it or drop ${flag}`);
}

/** The thresholds written in a scenario file, with their source; none for a scenario not shipped here. */
export async function scenarioThresholds(name: string, loaded: Scenario | null): Promise<Threshold[]> {
  const scenario = loaded ?? ((await listScenarios()).includes(name) ? await loadScenario(name) : null);
  return scenario ? parseThresholds(scenario.thresholds, `scenarios/${name}.ts`) : [];
}
