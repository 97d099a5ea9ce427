import type { ScenarioSpec } from '../harness/scenario/schema.js';

/** The small scenario CI runs: two sessions, half a minute. */
export default {
  name: 'voice-2',
  description: 'Two sessions for CI: proves the whole media path end to end',
  sessions: 2,
  ramp: { step: 2, every: '10s' },
  duration: '30s',
  warmup: '8s',
  usersPerGenerator: 2,
  target: '4c8g',
} satisfies ScenarioSpec;
