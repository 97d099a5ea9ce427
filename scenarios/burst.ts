import type { ScenarioSpec } from '../harness/scenario/schema.js';

/**
 * Five rooms dispatched at once to two framework workers that each count themselves full at two
 * jobs (jobs:2, threshold 1). The server routes on load reports up to 2.5 s old, so at least one
 * worker admits a job past its threshold; the dispatch-latency distribution under a burst is measured.
 * `--arrival poisson:0.5/s` turns the burst into Poisson arrivals. 60 s: the job a worker takes past
 * its threshold needs a fresh job process, and with one core for the agents (a partitioned 2-core
 * host) that took 28–34 s; the window must still open after it joined.
 */
export default {
  name: 'burst',
  description: 'K rooms within one second (or Poisson arrivals): dispatch latency, admissions over the threshold',
  runtime: 'framework',
  workers: 2,
  loadFunc: 'jobs:2',
  loadThreshold: 1,
  sessions: 5,
  ramp: { step: 5, every: '30s' },
  duration: '60s',
  warmup: '5s',
  usersPerGenerator: 5,
  joinConcurrency: 5,
} satisfies ScenarioSpec;
