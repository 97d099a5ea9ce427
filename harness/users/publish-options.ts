import { TrackPublishOptions, TrackSource } from '@livekit/rtc-node';
import type { GeneratorDesign } from '../sessions/ipc.js';

/** How a synthetic user publishes its speech: a microphone, at the design's Opus bitrate ceiling if it sets one. */
export function speechPublishOptions(design: Pick<GeneratorDesign, 'maxBitrateBps'>): TrackPublishOptions {
  return new TrackPublishOptions({
    source: TrackSource.SOURCE_MICROPHONE,
    ...(design.maxBitrateBps === null ? {} : { audioEncoding: { maxBitrate: BigInt(design.maxBitrateBps) } }),
  });
}
