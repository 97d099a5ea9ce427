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
  // Checked by `npm run gate`: behaviour every healthy run shows, whatever the host.
  thresholds: ['qos.agentAudio.toneOk == true', 'qos.vad.segmentsDetected > 0'],
} satisfies ScenarioSpec;
