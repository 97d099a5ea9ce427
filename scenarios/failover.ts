import type { ScenarioSpec } from '../harness/scenario/schema.js';

/**
 * A worker crash: two framework workers, two rooms, then SIGKILL to the busier worker's whole
 * process group at 10 s. Its sessions are counted lost and dispatched again; the two rooms at
 * 14 s must land on the survivor. Re-dispatch time and surviving processes are measured.
 */
export default {
  name: 'failover',
  description: 'SIGKILL one worker: its sessions lost, re-dispatched, new rooms on the others',
  runtime: 'framework',
  workers: 2,
  loadFunc: 'jobs:4',
  loadThreshold: 1,
  sessions: 4,
  drill: { kind: 'failover', at: '10s' },
  ramp: { step: 2, every: '14s', settle: '3s' },
  duration: '40s',
  warmup: '3s',
  usersPerGenerator: 4,
  joinConcurrency: 4,
} satisfies ScenarioSpec;
