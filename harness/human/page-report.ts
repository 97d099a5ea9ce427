/**
 * What the page posts once a second, checked field by field: the page runs in a browser, so its
 * reports are input like any other and are never trusted by shape alone. Pure.
 */
import type { EnvelopeChunk } from './align.js';
import type { StatsSnapshot } from './webrtc-stats.js';

/** Something that happened on the page; times are epoch ms on the page's clock. */
export type PageEvent =
  | { type: 'joined' | 'subscribed' | 'disconnected'; at: number }
  | { type: 'vad'; kind: 'start' | 'end'; sentAt: number; at: number }
  | { type: 'error'; message: string; at: number };

/** One report. */
export interface PageReport {
  events: PageEvent[];
  snapshot: StatsSnapshot | null;
  envelope: EnvelopeChunk[];
  /** How long after its capture timestamp each envelope chunk reached the page script, ms. */
  captureDelayMs: number[];
}

const isNum = (x: unknown): x is number => typeof x === 'number' && Number.isFinite(x);
const isObj = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x);
const arr = (x: unknown): unknown[] => (Array.isArray(x) ? x : []);

function event(x: unknown): PageEvent | null {
  if (!isObj(x) || !isNum(x.at)) return null;
  switch (x.type) {
    case 'joined': case 'subscribed': case 'disconnected': return { type: x.type, at: x.at };
    case 'vad': return (x.kind === 'start' || x.kind === 'end') && isNum(x.sentAt) ? { type: 'vad', kind: x.kind, sentAt: x.sentAt, at: x.at } : null;
    case 'error': return { type: 'error', message: String(x.message ?? '').slice(0, 300), at: x.at };
    default: return null;
  }
}

function chunk(x: unknown): EnvelopeChunk | null {
  if (!isObj(x) || !isNum(x.at) || !isNum(x.ms) || x.ms <= 0 || !Array.isArray(x.e) || x.e.length > 64 || !x.e.every(isNum)) return null;
  return { at: x.at, ms: x.ms, e: x.e as number[] };
}

const COUNTERS = [
  'packetsReceived', 'packetsLost', 'jitterS', 'concealedSamples', 'silentConcealedSamples', 'concealmentEvents',
  'totalAudioEnergy', 'totalSamplesDuration', 'totalSamplesReceived', 'jitterBufferDelayS', 'jitterBufferEmittedCount',
] as const;

function snapshot(x: unknown): StatsSnapshot | null {
  if (!isObj(x) || !isNum(x.at)) return null;
  let inbound: StatsSnapshot['inbound'] = null;
  if (isObj(x.inbound)) {
    const src = x.inbound;
    if (!COUNTERS.every((k) => isNum(src[k]))) return null;
    inbound = Object.fromEntries(COUNTERS.map((k) => [k, src[k] as number])) as unknown as StatsSnapshot['inbound'];
  }
  const p = x.pair;
  const text = (v: unknown) => (typeof v === 'string' ? v.slice(0, 64) : '');
  const pair = isObj(p) && typeof p.local === 'string' && typeof p.remote === 'string'
    ? { local: text(p.local), remote: text(p.remote), protocol: text(p.protocol), localType: text(p.localType), remoteType: text(p.remoteType) }
    : null;
  return {
    at: x.at,
    inbound,
    rttMs: isNum(x.rttMs) ? x.rttMs : null,
    pair,
    candidateAddrs: arr(x.candidateAddrs).filter((a): a is string => typeof a === 'string').slice(0, 64),
  };
}

/** The report, with anything malformed dropped; null when the body is not a report at all. */
export function parsePageReport(body: unknown): PageReport | null {
  if (!isObj(body)) return null;
  const keep = <T>(xs: (T | null)[]) => xs.filter((x): x is T => x !== null);
  return {
    events: keep(arr(body.events).map(event)),
    snapshot: snapshot(body.snapshot),
    envelope: keep(arr(body.envelope).map(chunk)),
    captureDelayMs: arr(body.captureDelayMs).filter(isNum),
  };
}
