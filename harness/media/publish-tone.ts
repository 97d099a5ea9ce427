import { LocalAudioTrack, TrackPublishOptions, TrackSource, type LocalParticipant } from '@livekit/rtc-node';
import { systemClock } from './clock.js';
import { SineGenerator } from './sine.js';
import { PacedPublisher, SAMPLE_RATE, type LatenessSink } from './paced-publisher.js';

/**
 * Publishes a continuous sine as a microphone track from `participant`, paced on the absolute
 * clock with each frame's lateness recorded in `late`. Every agent runtime answers its user this
 * way, so the users' tone checks measure them all alike. Returns the running publisher (stop() it).
 */
export async function publishTone(participant: LocalParticipant, toneHz: number, late: LatenessSink): Promise<PacedPublisher> {
  const sine = new SineGenerator(toneHz, SAMPLE_RATE);
  const publisher = new PacedPublisher((_k, samples) => sine.next(samples), late, systemClock);
  const track = LocalAudioTrack.createAudioTrack('agent-tone', publisher.source);
  const options = new TrackPublishOptions();
  options.source = TrackSource.SOURCE_MICROPHONE;
  await participant.publishTrack(track, options);
  publisher.start();
  return publisher;
}
