import { UsageError } from '../common/errors.js';
import type { HistogramData } from '../results/types.js';

/** Sent by the harness to an agent process once it is up. */
export interface AgentStart {
  type: 'start';
  url: string;
  token: string;
  /** Identity of the user whose audio this agent listens to. */
  userIdentity: string;
  toneHz: number;
  modelPath: string;
  statsEveryMs: number;
  /** When set, each VAD event is also sent to the user as a data message on this topic (the token must allow data). */
  vadTopic?: string;
}

/** Messages from an agent process to the harness. Times are epoch ms. */
export type AgentMessage =
  | { type: 'joined'; at: number }
  | { type: 'listening'; at: number }
  | { type: 'vad'; kind: 'start' | 'end'; at: number; audioMs: number }
  | { type: 'stats'; publishLate: HistogramData; vadInferMs: HistogramData; loopDelay: HistogramData; windows: number }
  | { type: 'error'; message: string };

/**
 * The data topic on which a worker with no report socket (one deployed apart from the harness) sends
 * each AgentMessage to its session's user, who hands it to the harness.
 */
export const AGENT_REPORT_TOPIC = 'voiceload.agent';

/** One synthetic user to add to a generator process. */
export interface UserSpec {
  index: number;
  url: string;
  token: string;
  /** The agent's identity; empty: any participant of kind AGENT (a byo worker names its own agents). */
  agentIdentity: string;
  toneHz: number;
  /** The agent reports over LiveKit (AGENT_REPORT_TOPIC): the user passes those messages on. */
  agentReports?: boolean;
  /** false: it does not subscribe to its agent's audio (set by GeneratorPool from the design, see listens()). */
  listens?: boolean;
}

/** Sent by the harness to a generator process. */
export type GeneratorCommand =
  | { type: 'init'; speechPath: string; statsEveryMs: number; design: GeneratorDesign }
  | { type: 'add-user'; user: UserSpec }
  /** The user leaves its room (a session of limited length ends). */
  | { type: 'remove-user'; index: number }
  | { type: 'stop' };

/** What a user measured of the agent's audio so far. */
export interface AgentAudioStats {
  framesReceived: number;
  framesExpected: number;
  /** Gaps over 100 ms that were the agent's (not explained by this generator's own stalls). */
  gapsOver100ms: number;
  maxGapMs: number;
  /** Holes over 100 ms that this generator's own event-loop stalls explain: the load side's, not the agent's. */
  generatorStalls: number;
  /** The agent's gaps: when each ended (epoch ms; a gap still open: the time of this report) and how long it was. */
  gaps: { at: number; ms: number }[];
  dominantHz: number[];
}

/** Messages from a generator process to the harness. Times are epoch ms. */
export type GeneratorMessage =
  | { type: 'user-joined'; index: number; at: number }
  | { type: 'user-speech'; index: number; t0: number; loopMs: number }
  /** agentAudio null: the user does not listen to its agent (a design with probes; see listens()). */
  | { type: 'user-stats'; index: number; publishLate: HistogramData; agentAudio: AgentAudioStats | null; lastSentAt: number | null; publishDropped: number }
  | { type: 'user-error'; index: number; message: string }
  | { type: 'user-candidates'; index: number; addresses: string[] }
  /** Sent only when the user was given no agent identity: when it first saw an agent participant in its room. */
  | { type: 'user-agent'; index: number; at: number; identity: string }
  /** What the agent measured, as it sent it to the user on AGENT_REPORT_TOPIC. */
  | { type: 'user-agent-report'; index: number; msg: AgentMessage }
  /** clockNice: the nice its clock threads run at, read back (see users/clock-priority.ts); null: threads cannot be listed here. */
  | { type: 'generator-stats'; loopDelay: HistogramData; clockNice: number | null }
  | { type: 'error'; message: string };

const AGENT_MESSAGE_TYPES: readonly string[] = ['joined', 'listening', 'vad', 'stats', 'error'];

/** Parses an agent's data message; null when it is not an AgentMessage (someone else's data). */
export function parseAgentMessage(payload: Uint8Array): AgentMessage | null {
  try {
    const m = JSON.parse(new TextDecoder().decode(payload)) as { type?: unknown };
    return typeof m === 'object' && m !== null && typeof m.type === 'string' && AGENT_MESSAGE_TYPES.includes(m.type) ? (m as AgentMessage) : null;
  } catch {
    return null;
  }
}

/** Common to both kinds of child. */
export type ChildStop = { type: 'stop' };
/** The last message a child sends before it exits on a stop request. */
export type ChildStopped = { type: 'stopped' };

/**
 * How a generator moves audio (issue 12, measured side by side by bench/generator-cost.ts).
 * frames: 20 ms speech frames handed over just in time, the agent's audio received in 10 ms frames
 * (the design until issue 12). chunks: 100 ms speech chunks handed over 20 ms ahead of their
 * timeline, the agent's audio received in 100 ms blocks: a tenth of the FFI crossings, and a chunk
 * up to 20 ms late never lets the encoder run dry; and without rtc-node's capture of the Rust SDK's
 * log records (`rustLogs`), 7 in 10 of the FFI events a generator handled, which nothing read (see
 * media/rtc-logs.ts). The tone monitor judges every 10 ms piece either way. celt (the default):
 * chunks, with the speech published at {@link CELT_BITRATE_BPS}, where libopus codes a voice in
 * CELT alone; at rtc-node's default of 48 kbps (what LiveKit's web SDK sends too) it codes SILK
 * and CELT both, which took the encoder three times the CPU. probes: celt, but only some users
 * subscribe to their agent's audio (see listens()): the others neither receive nor decode it
 * (WebRTC decodes every subscribed track in its playout thread, whether JavaScript reads it or
 * not). Every agent's own publish lateness is still reported; the tone is checked on the probes.
 */
export interface GeneratorDesign {
  name: 'frames' | 'chunks' | 'celt' | 'probes';
  publishChunkMs: number;
  publishLeadMs: number;
  receiveBlockMs: number;
  rustLogs: boolean;
  /** Which users subscribe to their agent's audio and check its tone: every one, or the probes ({@link listens}). */
  listen: 'all' | 'probes';
  /** The speech track's Opus bitrate ceiling, bits/s; null: rtc-node's default (48 kbps). */
  maxBitrateBps: number | null;
}

/**
 * At this bitrate libopus codes a mono voice in CELT alone (measured: the encoder's CPU a third of
 * that at 48 kbps); the agent's decoding of it cost 0.001 cores less per session, inside the noise
 * of its CPU (docs/performance.md).
 */
export const CELT_BITRATE_BPS = 64_000;

const CHUNKS: GeneratorDesign = { name: 'chunks', publishChunkMs: 100, publishLeadMs: 20, receiveBlockMs: 100, rustLogs: false, listen: 'all', maxBitrateBps: null };
const CELT: GeneratorDesign = { ...CHUNKS, name: 'celt', maxBitrateBps: CELT_BITRATE_BPS };

export const GENERATOR_DESIGNS: Record<GeneratorDesign['name'], GeneratorDesign> = {
  frames: { name: 'frames', publishChunkMs: 20, publishLeadMs: 0, receiveBlockMs: 10, rustLogs: true, listen: 'all', maxBitrateBps: null },
  chunks: CHUNKS,
  celt: CELT,
  probes: { ...CELT, name: 'probes', listen: 'probes' },
};

/** Sessions below this index always listen: a small run checks every agent's audio. */
export const PROBES_ALL_BELOW = 4;
/** Past those, one session in this many listens. */
export const PROBE_EVERY = 4;

/**
 * Whether user `index` subscribes to its agent's audio (and so decodes it and checks its tone).
 * With probes: sessions 0–3, then every fourth (4, 8, 12, …).
 */
export function listens(design: GeneratorDesign, index: number): boolean {
  return design.listen === 'all' || index < PROBES_ALL_BELOW || index % PROBE_EVERY === 0;
}

/**
 * The design generators are told to use: celt, unless `VOICELOAD_GENERATOR_DESIGN` names another
 * (chunks sends what LiveKit's web SDK sends by default). An unknown name is bad input.
 */
export function generatorDesign(env: NodeJS.ProcessEnv = process.env): GeneratorDesign {
  const name = env.VOICELOAD_GENERATOR_DESIGN;
  if (name === undefined || name === '') return CELT;
  return parseGeneratorDesign(name, `VOICELOAD_GENERATOR_DESIGN=${name}`, ', or unset it for celt');
}

/** The design called `name`; an unknown one is bad input, said as `SAID is not a generator design: …`. */
export function parseGeneratorDesign(name: string, said: string, orElse = ''): GeneratorDesign {
  if (!Object.hasOwn(GENERATOR_DESIGNS, name)) {
    throw new UsageError(`${said} is not a generator design: use one of ${Object.keys(GENERATOR_DESIGNS).join(', ')}${orElse}`);
  }
  return GENERATOR_DESIGNS[name as GeneratorDesign['name']];
}
