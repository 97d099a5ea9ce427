import type { ScenarioSpec } from '../harness/scenario/schema.js';

/**
 * A rolling deploy: two framework workers, two rooms, then SIGINT to the busier worker at 13 s
 * (after its jobs and its warm processes have settled). It should take no new job (the two rooms
 * at 18 s go to the other), let its sessions run to their end (users hang up 20 s after joining)
 * and exit; the harness gives it up to 90 s to do so, and the drain time is measured.
 */
export default {
  name: 'rollout',
  description: 'SIGINT to one worker mid-session: no new job, running sessions finish, drain time measured',
  runtime: 'framework',
  workers: 2,
  loadFunc: 'jobs:4',
  loadThreshold: 1,
  sessions: 4,
  sessionLength: '20s',
  drill: { kind: 'rollout', at: '13s' },
  ramp: { step: 2, every: '18s', settle: '3s' },
  duration: '45s',
  warmup: '3s',
  usersPerGenerator: 4,
  joinConcurrency: 4,
} satisfies ScenarioSpec;
