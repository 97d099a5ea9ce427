/** Folding what a run recorded into its RunResult (pure). */
import { aggregate } from '../results/aggregate.js';
import type { RunInput, RunResult } from '../results/types.js';
import type { RuntimeResultPart } from '../runtimes/types.js';

/** What the run adds beside the aggregate: the runtime's part and the human room's summary. */
export interface ResultParts {
  runtime: RuntimeResultPart;
  human: RunResult['human'] | null;
  /** The agents' CPU and memory were read from elsewhere (Prometheus), not from this host's processes. */
  agentsReadRemotely?: boolean;
}

/** The run's result: the aggregate of its input, with the runtime's and the human room's parts. */
export function assembleResult(input: RunInput, parts: ResultParts): RunResult {
  const result = aggregate(input);
  if (parts.runtime.workers) result.workers = parts.runtime.workers;
  if (parts.runtime.agentsElsewhere && !parts.agentsReadRemotely) {
    // Nothing of the agents ran here: a zero would read as free sessions.
    result.perSession = { cpuCores: null, pssBytes: null, rssBytes: null, basis: `not measured: ${parts.runtime.agentsElsewhere}`, kind: 'measured' };
    result.agentsElsewhere = parts.runtime.agentsElsewhere;
  }
  if (parts.runtime.basisNote) result.perSession.basis += `; ${parts.runtime.basisNote}`;
  if (parts.human) result.human = parts.human;
  return result;
}
