import { LocalAudioTrack, TrackPublishOptions, TrackSource, type LocalParticipant } from '@livekit/rtc-node';
import { systemClock } from './clock.js';
import { SineGenerator } from './sine.js';
import { FRAME_MS, PacedPublisher, SAMPLE_RATE, type LatenessSink, type PublishPlan } from './paced-publisher.js';

/**
 * The tone in 20 ms frames handed over 20 ms ahead, as the users' speech is: the source's queue
 * still holds 20 ms when a frame is due, so the knee's bound on agent publish lateness (p99 > 20 ms)
 * means the encoder ran dry, as it does for the users and for the Python reference agent. (A real
 * agent's TTS is pushed ahead of playout too.)
 */
const TONE_PLAN: PublishPlan = { chunkMs: FRAME_MS, leadMs: 20 };

/**
 * Publishes a continuous sine as a microphone track from `participant`, paced on the absolute
 * clock with each frame's lateness recorded in `late`. Every agent runtime answers its user this
 * way, so the users' tone checks measure them all alike. Returns the running publisher (stop() it).
 */
export async function publishTone(participant: LocalParticipant, toneHz: number, late: LatenessSink): Promise<PacedPublisher> {
  const sine = new SineGenerator(toneHz, SAMPLE_RATE);
  const publisher = new PacedPublisher((_k, samples) => sine.next(samples), late, systemClock, TONE_PLAN);
  const track = LocalAudioTrack.createAudioTrack('agent-tone', publisher.source);
  const options = new TrackPublishOptions();
  options.source = TrackSource.SOURCE_MICROPHONE;
  await participant.publishTrack(track, options);
  publisher.start();
  return publisher;
}
