import { closeSync, openSync, writeSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { AgentMessage, AgentStart, ChildStop } from '../sessions/ipc.js';
import { readWav } from '../media/wav.js';
import { paths } from '../common/paths.js';
import type { Segment } from '../results/types.js';
import { Child } from '../child/child.js';
import { createProcessSampler } from '../sampling/factory.js';
import type { RoleSample } from '../sampling/types.js';
import { mintJoinToken } from '../server/tokens.js';
import { MAX_DURATION_S } from '../scenario/duration.js';
import { alignOnsets, captureGrid, fixtureEnvelope, type EnvelopeChunk } from './align.js';
import { pageBundle, PAGE_DIR } from './bundle.js';
import { parsePageReport, type PageReport } from './page-report.js';
import { startPageServer, type PageServer } from './page-server.js';
import { Probe } from './probe.js';
import { summarizeHuman, type HumanRecord } from './summary.js';
import type { HumanMode, HumanSummary } from '../results/human.js';
import type { HumanContext, HumanHook, HumanLine } from './types.js';
import { secondRow, type StatsSnapshot } from './webrtc-stats.js';

/** Topic of the agent's VAD data messages. */
export const VAD_TOPIC = 'voiceload.vad';
/** Peak of the agents' sine (media/sine.ts default), full scale 1. */
const TONE_AMPLITUDE = 0.3;
const AGENT_ID = 'agent-human';
const USER_ID = 'human';

/** "198.18.0.1 (host) → 198.18.0.2 (host), udp"; a hidden address shows as its type alone. */
function pairText(p: NonNullable<StatsSnapshot['pair']>): string {
  const side = (addr: string, type: string) => (addr ? `${addr} (${type || '?'})` : `hidden (${type || '?'})`);
  return `${side(p.local, p.localType)} → ${side(p.remote, p.remoteType)}, ${p.protocol}`;
}

/** How the human room is set up; built by the CLI. */
export interface HumanRoomOptions {
  mode: HumanMode;
  outDir: string;
  speechPath: string;
  segments: Segment[];
  toneHz: number;
  /** The run's length, for the person's token lifetime (the probe's is two minutes). */
  durationS: number;
  /** Called with the join link when a person is to open it (mode 'human'). The link holds a token: print it, never store it. */
  onLink?: (link: string) => void;
  onWarning?: (message: string) => void;
}

/**
 * How long the join link's token lives, s: the probe joins at once (2 min); a person's link lasts
 * the run and a minute more (at least 5 min), never past the longest run there can be (7 days + 1 min).
 */
export function linkTtlS(mode: HumanMode, durationS: number): number {
  return mode === 'probe' ? 120 : Math.min(MAX_DURATION_S + 60, Math.max(300, durationS + 60));
}

/**
 * One more room beside the load, with its own agent (a SyntheticAgent that also sends its VAD
 * events to the page as data messages), a page served on 127.0.0.1, and either a person following
 * the printed link or the headless probe. Records one line of human.jsonl per second the page
 * reports, and folds everything into results.json's `human` block at the end.
 */
export class HumanRoom implements HumanHook {
  private ctx: HumanContext | null = null;
  private agent: Child<AgentStart | ChildStop, AgentMessage> | null = null;
  private pages: PageServer | null = null;
  private probe: Probe | null = null;
  private launching: Promise<void> | null = null;
  private jsonl: number | null = null;
  private sampleTimer: NodeJS.Timeout | null = null;
  private sampled: { browser: RoleSample | null; agent: RoleSample | null } = { browser: null, agent: null };
  private prev: StatsSnapshot | null = null;
  private readonly rec: HumanRecord;
  private readonly envelope: EnvelopeChunk[] = [];
  private readonly captureDelayMs: number[] = [];
  private readonly requests = new Set<string>();
  private readonly candidates = new Set<string>();
  private readonly sampler = createProcessSampler();

  constructor(private readonly opts: HumanRoomOptions) {
    this.rec = {
      mode: opts.mode, lines: [], joinedAt: null, firstAudioAt: null, agentListeningAt: null, agentVadStarts: [],
      captureEndAt: null, dataMessages: 0, dataStarts: 0, alignment: null, captureDelayMs: [], toneAmplitude: TONE_AMPLITUDE, browser: null,
      candidateAddrs: [], selectedPair: null, requestHosts: [], allowedAddrs: [], errors: [],
    };
  }

  async start(ctx: HumanContext): Promise<void> {
    this.ctx = ctx;
    this.rec.allowedAddrs = ctx.allowedAddrs;
    const { server } = ctx;
    const room = `${ctx.runId}-human`;
    this.agent = new Child<AgentStart | ChildStop, AgentMessage>(paths.agentMain, AGENT_ID, (m) => this.fromAgent(m));
    this.agent.onUnexpectedExit('human room agent', (msg) => this.error(msg));
    const agentToken = await mintJoinToken(server, room, AGENT_ID, { canPublishData: true });
    this.agent.send({ type: 'start', url: server.url, token: agentToken, userIdentity: USER_ID, toneHz: this.opts.toneHz, modelPath: paths.sileroModel, statsEveryMs: 2000, vadTopic: VAD_TOPIC });
    const ttlS = linkTtlS(this.opts.mode, this.opts.durationS);
    const token = await mintJoinToken(server, room, USER_ID, { ttlS });
    const ws = new URL(server.url);
    this.pages = await startPageServer({
      html: await readFile(path.join(PAGE_DIR, 'index.html'), 'utf8'),
      script: await pageBundle(),
      connectOrigins: [ws.origin, `${ws.protocol === 'wss:' ? 'https:' : 'http:'}//${ws.host}`],
      onReport: (body) => this.fromPage(parsePageReport(body)),
    });
    const fragment = new URLSearchParams({ url: server.url, token, key: this.pages.key, mode: this.opts.mode, agent: AGENT_ID, topic: VAD_TOPIC });
    const link = `${this.pages.url}#${fragment.toString()}`;
    this.jsonl = openSync(path.join(this.opts.outDir, 'human.jsonl'), 'a');
    this.sampleTimer = setInterval(() => void this.sample(), 1000);
    if (this.opts.mode === 'human') this.opts.onLink?.(link);
    // The browser starts in the background: the ramp keeps its schedule while it launches.
    else this.launching = this.launchProbe(link, ctx.runId);
  }

  private async launchProbe(link: string, runId: string): Promise<void> {
    try {
      this.probe = await Probe.launch(link, this.opts.speechPath, `VOICELOAD_PROBE=${runId}`, {
        onRequest: (url) => this.requests.add(new URL(url).hostname.replace(/^\[|\]$/g, '')),
        onError: (message) => this.error(`probe ${message}`),
      });
      this.rec.browser = { version: this.probe.version, args: this.probe.args };
    } catch (err) {
      this.error(`probe did not start: ${(err as Error).message.split('\n')[0]}`);
    }
  }

  private error(message: string): void {
    this.rec.errors.push(message);
    this.opts.onWarning?.(`human room: ${message}`);
  }

  private fromAgent(m: AgentMessage | { type: 'stopped' }): void {
    if (m.type === 'listening') this.rec.agentListeningAt = m.at;
    else if (m.type === 'vad' && m.kind === 'start') this.rec.agentVadStarts.push(m.at);
    else if (m.type === 'error') this.error(`agent: ${m.message}`);
  }

  private fromPage(r: PageReport | null): void {
    if (!r || !this.ctx) return;
    for (const e of r.events) {
      if (e.type === 'joined') this.rec.joinedAt ??= e.at;
      else if (e.type === 'error') this.error(e.message);
    }
    const vadMessages = r.events.filter((e) => e.type === 'vad').length;
    this.rec.dataMessages += vadMessages;
    this.rec.dataStarts += r.events.filter((e) => e.type === 'vad' && e.kind === 'start').length;
    this.envelope.push(...r.envelope);
    this.captureDelayMs.push(...r.captureDelayMs);
    const last = r.envelope[r.envelope.length - 1];
    if (last) this.rec.captureEndAt = last.at + last.ms;
    const snap = r.snapshot;
    if (!snap) return;
    for (const a of snap.candidateAddrs) this.candidates.add(a);
    if (snap.pair) this.rec.selectedPair = pairText(snap.pair);
    if (snap.inbound && snap.inbound.totalSamplesReceived > 0) this.rec.firstAudioAt ??= snap.at;
    const row = secondRow(this.prev, snap);
    this.prev = snap;
    if (!row) return;
    const line: HumanLine = { ...row, elapsedS: (row.at - this.ctx.startedAt) / 1000, activeSessions: this.ctx.activeSessions(), vadMessages, ...this.sampled };
    this.rec.lines.push(line);
    if (this.jsonl !== null) writeSync(this.jsonl, `${JSON.stringify(line)}\n`);
  }

  /** Samples the browser's and the agent's process trees on their own (not as roles of samples.jsonl). */
  private async sample(): Promise<void> {
    const groups = {
      browser: { pids: this.probe?.pid ? [this.probe.pid] : [], descendants: true },
      agent: { pids: this.agent?.pid ? [this.agent.pid] : [], descendants: true },
    };
    try {
      const s = await this.sampler.sampleAll(groups);
      this.sampled = { browser: this.opts.mode === 'probe' ? s.browser ?? null : null, agent: s.agent ?? null };
    } catch (err) {
      this.error(`sampling: ${(err as Error).message}`);
    }
  }

  /** The page leaves first (the browser closes), then the page server and the agent. */
  async stop(): Promise<void> {
    if (this.sampleTimer) clearInterval(this.sampleTimer);
    await this.launching;
    await this.probe?.close();
    await this.pages?.close();
    await this.agent?.stop();
    if (this.jsonl !== null) closeSync(this.jsonl);
    this.jsonl = null;
    this.rec.candidateAddrs = [...this.candidates];
    this.rec.requestHosts = [...this.requests];
    this.rec.captureDelayMs = [...this.captureDelayMs];
    if (this.opts.mode === 'probe' && this.opts.segments.length > 0) await this.align();
  }

  private async align(): Promise<void> {
    const grid = captureGrid(this.envelope);
    if (!grid) return;
    const wav = await readWav(this.opts.speechPath);
    this.rec.alignment = alignOnsets(fixtureEnvelope(wav.samples, wav.sampleRate), grid, this.opts.segments, wav.durationMs);
  }

  invalidReasons(): string[] {
    const s = this.summary();
    const reasons: string[] = [];
    if (s.network.foreign.length > 0) reasons.push(`human room used addresses outside loopback and the private namespace: ${s.network.foreign.join(', ')}`);
    if (s.mode === 'probe') {
      for (const e of s.errors) reasons.push(`human probe: ${e}`);
      if (s.seconds === 0) reasons.push('human probe: the page never reported hearing the agent');
    }
    return reasons;
  }

  summary(): HumanSummary {
    return summarizeHuman(this.rec);
  }

  files(): string[] {
    return this.ctx ? [path.join(this.opts.outDir, 'human.jsonl')] : [];
  }
}
