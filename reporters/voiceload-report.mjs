// voiceload's report-socket client for Node agents (protocol v1, docs/report-protocol.md).
// No dependencies: copy this file beside your agent, then two lines in your entry function:
//
//   import { reportJob } from './voiceload-report.mjs';
//   const rep = reportJob(ctx);      // then rep.joined() after ctx.connect(), rep.vad('start', audioMs), ...
//
// Without VOICELOAD_REPORT_SOCKET in the environment (not run by voiceload) every call is a no-op.
// One JSON line per report; times are epoch ms. Nothing here ever throws into the agent.
import net from 'node:net';

export const PROTOCOL = 1;
const epochMs = () => performance.timeOrigin + performance.now();

export class Reporter {
  constructor(socketPath = process.env.VOICELOAD_REPORT_SOCKET) {
    this.worker = Number(process.env.VOICELOAD_WORKER_INDEX ?? -1);
    this.session = -1;
    this.sock = socketPath ? net.connect(socketPath) : null;
    this.sock?.on('error', () => (this.sock = null));
    this.sock?.unref();
  }
  send(msg) {
    if (this.sock && !this.sock.destroyed) this.sock.write(`${JSON.stringify(msg)}\n`);
  }
  agent(msg) {
    this.send({ type: 'agent', worker: this.worker, session: this.session, msg });
  }
  job(session, jobId) {
    this.session = session;
    this.send({ type: 'job', v: PROTOCOL, worker: this.worker, at: epochMs(), session, pid: process.pid, jobId });
  }
  joined() { this.agent({ type: 'joined', at: epochMs() }); }
  listening() { this.agent({ type: 'listening', at: epochMs() }); }
  /** kind 'start' | 'end'; audioMs: where in the user's audio the VAD placed it. */
  vad(kind, audioMs) { this.agent({ type: 'vad', kind, at: epochMs(), audioMs }); }
  jobEnd(reason) { this.send({ type: 'job-end', worker: this.worker, at: epochMs(), session: this.session, reason }); }
  close() { this.sock?.end(); }
}

/** Starts reporting for a LiveKit JobContext: reads voiceload's dispatch metadata (the session index). */
export function reportJob(ctx) {
  const rep = new Reporter();
  let session = -1;
  try {
    session = Number(JSON.parse(ctx.job.metadata || '{}').session ?? -1);
  } catch {
    session = -1;
  }
  rep.job(session, ctx.job.id);
  return rep;
}
