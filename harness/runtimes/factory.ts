import { BareRuntime } from './bare.js';
import { containerLauncher } from './container.js';
import { DeployedRuntime } from './deployed.js';
import type { AgentRuntime, RuntimeContext } from './types.js';
import { WorkerFleet } from './workers/pool.js';

/** The runtime the scenario asks for: bare agent processes, a pool of workers (framework or byo), worker containers, or workers deployed apart from the run. */
export function createRuntime(ctx: RuntimeContext): AgentRuntime {
  switch (ctx.scenario.pool.runtime) {
    case 'bare':
      return new BareRuntime(ctx);
    case 'framework':
    case 'python':
    case 'byo':
      return new WorkerFleet(ctx);
    case 'container':
      return new WorkerFleet(ctx, containerLauncher(ctx));
    case 'deployed':
      return new DeployedRuntime(ctx);
  }
}
