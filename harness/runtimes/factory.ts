import { BareRuntime } from './bare.js';
import type { AgentRuntime, RuntimeContext } from './types.js';
import { WorkerFleet } from './workers/pool.js';

/** The runtime the scenario asks for: bare agent processes, or a pool of workers (framework or byo). */
export function createRuntime(ctx: RuntimeContext): AgentRuntime {
  switch (ctx.scenario.pool.runtime) {
    case 'bare':
      return new BareRuntime(ctx);
    case 'framework':
    case 'python':
    case 'byo':
      return new WorkerFleet(ctx);
  }
}
