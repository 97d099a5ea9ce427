import type { ScenarioSpec } from '../harness/scenario/schema.js';

/**
 * Four rooms at once to two framework workers that refuse a job while they hold two (jobs:2,
 * threshold 1, refuseWhenFull). The server offers jobs by possibly stale load reports; a worker
 * offered a third job refuses it and the server must route it to the other. Every room should get
 * an agent and no worker should run more than two.
 */
export default {
  name: 'reroute',
  description: 'Workers that refuse jobs over their threshold: the server re-routes them',
  runtime: 'framework',
  workers: 2,
  loadFunc: 'jobs:2',
  loadThreshold: 1,
  refuseWhenFull: true,
  sessions: 4,
  ramp: { step: 4, every: '30s' },
  duration: '35s',
  warmup: '5s',
  usersPerGenerator: 4,
  joinConcurrency: 4,
} satisfies ScenarioSpec;
