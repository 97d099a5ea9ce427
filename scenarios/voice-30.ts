import type { ScenarioSpec } from '../harness/scenario/schema.js';

/** LiveKit's published agent load test: 30 users, 30 Silero-VAD agents, sized for a 4-core / 8 GB worker. */
export default {
  name: 'voice-30',
  description: "LiveKit's published agent load test: 30 users publishing looping speech, 30 VAD agents answering with a tone",
  sessions: 30,
  ramp: { step: 5, every: '20s' },
  duration: '4m',
  warmup: '15s',
  usersPerGenerator: 10,
  target: '4c8g',
} satisfies ScenarioSpec;
