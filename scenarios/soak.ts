import type { ScenarioSpec } from '../harness/scenario/schema.js';

/**
 * Does it leak? One LiveKit Python reference worker, open-loop Poisson arrivals (0.25 rooms/s) of 30
 * finite sessions of 6-14 s (uniform; the arrivals take ~120 s on average), each job in a process
 * from LiveKit's warm pool. The report gives memory per completed session — the worker's own
 * processes and a busy job process — as a slope with a 95% Student-t interval, a verdict, and a
 * chart of memory against completed sessions. For hours: `--duration 2h --sessions 500 --arrival
 * poisson:0.07/s` (sessions ≈ rate × duration; at most 500); `--runtime framework` or
 * `--worker-cmd` soak another worker.
 */
export default {
  name: 'soak',
  description: 'Poisson arrivals of finite sessions to one worker: memory per completed session, and a leak verdict',
  runtime: 'python',
  workers: 1,
  // Full at 8 running jobs: LiveKit's default (the whole host's CPU over 0.7) would mark the worker
  // unavailable on a busy small host and the server would stop dispatching; a soak asks about memory.
  loadFunc: 'jobs:8',
  loadThreshold: 1,
  arrival: 'poisson:0.25/s',
  sessionLength: '6s..14s',
  sessions: 30,
  ramp: { step: 30, every: '185s', settle: '5s' },
  duration: '185s',
  warmup: '5s',
  usersPerGenerator: 40,
  joinConcurrency: 8,
} satisfies ScenarioSpec;
