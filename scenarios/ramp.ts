import type { ScenarioSpec } from '../harness/scenario/schema.js';

/**
 * Finds the knee: adds two sessions every 30 s and judges each step once it has settled; the run
 * stops at the first step where quality breaks (VAD onset lag, tone gaps, the agents' event loop)
 * or CPU reaches the load threshold. `sessions` is only a cap. The steps feed the capacity fit.
 */
const ramp: ScenarioSpec = {
  name: 'ramp',
  description: 'Ramp +2 sessions every 30 s until quality breaks (the knee) or 40 sessions',
  sessions: 40,
  ramp: { step: 2, every: '30s', settle: '10s' },
  duration: '11m',
  warmup: '10s',
  usersPerGenerator: 10,
  target: '4c8g',
  stopAtKnee: true,
};

export default ramp;
