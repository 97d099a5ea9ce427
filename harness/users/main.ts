/**
 * Entry point of a generator process: it hosts several synthetic users (how many is the
 * scenario's usersPerGenerator). Forked by the harness with an IPC channel and a minimal
 * environment; tokens arrive with each add-user message.
 */
import { dispose } from '@livekit/rtc-node';
import type { ChildStop, GeneratorCommand, GeneratorMessage } from '../sessions/ipc.js';
import { runChild } from '../child/main.js';
import { LoopDelayMonitor } from '../sessions/loop-delay.js';
import { readWav, requireFormat } from '../media/wav.js';
import { stopRustLogCapture } from '../media/rtc-logs.js';
import { SyntheticUser } from './user.js';
import { ClockPriority } from './clock-priority.js';

runChild<GeneratorCommand | ChildStop, GeneratorMessage>(async (first, send) => {
  if (first.type !== 'init') throw new Error(`generator: expected an init message, got ${first.type}`);
  const audio = await readWav(first.speechPath);
  requireFormat(audio, { sampleRate: 48_000, channels: 1 });
  const users = new Map<number, SyntheticUser>();
  // Logs nobody reads were most of the FFI events a generator handled (issue 12).
  let logsOff = first.design.rustLogs;
  const loop = new LoopDelayMonitor();
  loop.start();
  const priority = new ClockPriority();
  priority.apply();
  const sendStats = () => {
    // Joins start threads (WebRTC's, the capture threads): keep each at the nice it should have.
    priority.apply();
    users.forEach((u) => send(u.stats()));
    send({ type: 'generator-stats', loopDelay: loop.histogram.toData(), clockNice: priority.clockNice });
  };
  const timer = setInterval(sendStats, first.statsEveryMs);
  return {
    onMessage(msg) {
      if (msg.type === 'remove-user') {
        const user = users.get(msg.index);
        if (!user) return;
        users.delete(msg.index);
        void user.stop().then(() => send(user.stats()), (err: Error) => send({ type: 'user-error', index: msg.index, message: `leave: ${err.message}` }));
        return;
      }
      if (msg.type !== 'add-user') return;
      const user = new SyntheticUser(msg.user, audio.samples, send, first.design, (from, to) => loop.blockedMs(from, to));
      users.set(msg.user.index, user);
      logsOff ||= stopRustLogCapture();
      user.start().catch((err: Error) => send({ type: 'user-error', index: msg.user.index, message: `join: ${err.message}` }));
    },
    async stop() {
      clearInterval(timer);
      await Promise.all([...users.values()].map((u) => u.stop()));
      loop.stop();
      sendStats();
      await dispose();
    },
  };
});
