import type { ScenarioSpec } from '../harness/scenario/schema.js';

/**
 * Two @livekit/agents workers, four rooms dispatched one every 4 s: how the server spreads jobs.
 * Each worker's load is its jobs over 2 with threshold 1, so a worker with two jobs reports itself
 * full (within LiveKit's 2.5 s load update) and the next room must go to the other.
 */
export default {
  name: 'pool',
  description: 'Two framework workers: how the server spreads jobs, each worker\'s load beside its CPU, health',
  runtime: 'framework',
  workers: 2,
  loadFunc: 'jobs:2',
  loadThreshold: 1,
  sessions: 4,
  ramp: { step: 1, every: '4s', settle: '2s' },
  duration: '40s',
  warmup: '5s',
  usersPerGenerator: 4,
  joinConcurrency: 4,
} satisfies ScenarioSpec;
