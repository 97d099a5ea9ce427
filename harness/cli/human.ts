import { existsSync } from 'node:fs';
import { UsageError } from '../common/errors.js';
import type { Segment } from '../results/types.js';
import { chromiumPath } from '../human/probe.js';
import { HumanRoom } from '../human/room.js';

/** What the CLI knows when it builds the human room. */
export interface HumanCliContext {
  outDir: string;
  speechPath: string;
  segments: Segment[];
  toneHz: number;
  durationS: number;
  /** The private namespace the run is in, if any: the link is reachable only from inside it. */
  netns: string | null;
  say: (line: string) => void;
}

/**
 * Checks the human-room flags before anything runs (bad input: exit 2, nothing written) and
 * returns how to build the room once the report folder exists; null without either flag.
 */
export function humanRoomFor(mode: 'human' | 'probe' | undefined, env: NodeJS.ProcessEnv = process.env): ((c: HumanCliContext) => HumanRoom) | null {
  if (!mode) return null;
  if (mode === 'probe' && !existsSync(chromiumPath(env))) {
    throw new UsageError(`--human-probe needs Chromium at ${chromiumPath(env)}: install it (apt-get install chromium) or set VOICELOAD_CHROMIUM to its path`);
  }
  return (c) => new HumanRoom({
    mode,
    outDir: c.outDir,
    speechPath: c.speechPath,
    segments: c.segments,
    toneHz: c.toneHz,
    durationS: c.durationS,
    onWarning: (w) => c.say(`warning: ${w}`),
    onLink: (link) => {
      c.say(`human room: open this link in a browser (it holds a short-lived token for your room only):\n  ${link}`);
      if (c.netns) {
        c.say(`human room: the run is inside network namespace ${c.netns}, so the link works only from a browser in it, e.g. as root on this host:\n` +
          `  ip netns exec ${c.netns} chromium --no-sandbox --user-data-dir=$(mktemp -d) '<the link>'\n  (or run with --no-netns to use this host's browser)`);
      }
    },
  });
}
