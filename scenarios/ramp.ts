import type { ScenarioSpec } from '../harness/scenario/schema.js';

/**
 * Finds the knee: adds two sessions every 45 s and judges each step once it has settled; the run
 * stops at the first step where quality breaks (VAD onset lag, tone gaps, the agents' event loop)
 * or CPU reaches the load threshold. `sessions` is only a cap. The steps feed the capacity fit.
 *
 * Why 45 s steps with 20 s to settle: a new agent costs more for its first 10–20 s (its model and
 * JIT warming up), and one-second CPU samples carry slow waves (the looping speech), so a step mean
 * needs 20 or more samples to be a fit point. From step means measured here (2 cores, agents on one,
 * `--ramp-step 1`), fitted over the steps the steadiness rule keeps: 30 s steps gave a per-session
 * CPU interval of ±67 % from 4 steps, 60 s steps ±9 % from 6 (the generator then still stalled).
 * Once the generator kept time (its clock threads raised), an agent cost less and the knee moved
 * from 7 to 10 sessions: 60 s steps gave ±5 % from 7 steps but took 10 minutes, 45 s steps ±13 %
 * from 7 in 6 (docs/performance.md). On a worker runtime the steps are 90 s unless --ramp-every
 * is given (WORKER_STEP_S in harness/scenario/load.ts).
 */
const ramp: ScenarioSpec = {
  name: 'ramp',
  description: 'Ramp +2 sessions every 45 s until quality breaks (the knee) or 40 sessions',
  sessions: 40,
  ramp: { step: 2, every: '45s', settle: '20s' },
  duration: '15m45s',
  warmup: '10s',
  usersPerGenerator: 10,
  target: '4c8g',
  stopAtKnee: true,
};

export default ramp;
