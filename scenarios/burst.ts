import type { ScenarioSpec } from '../harness/scenario/schema.js';

/**
 * Five rooms dispatched at once to two framework workers that each count themselves full at two
 * jobs (jobs:2, threshold 1). The server routes on load reports up to 2.5 s old, so at least one
 * worker admits a job past its threshold; the dispatch-latency distribution under a burst is measured.
 * `--arrival poisson:0.5/s` turns the burst into Poisson arrivals.
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
  duration: '35s',
  warmup: '5s',
  usersPerGenerator: 5,
  joinConcurrency: 5,
} satisfies ScenarioSpec;
