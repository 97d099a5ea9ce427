/**
 * Entry point of one agent process (one per agent, as LiveKit runs one job per process).
 * The harness forks it with an IPC channel and a minimal environment: the token arrives in the
 * `start` message; the API secret is never here.
 */
import { dispose } from '@livekit/rtc-node';
import type { AgentMessage, AgentStart, ChildStop } from '../sessions/ipc.js';
import { runChild } from '../child/main.js';
import { SyntheticAgent } from './agent.js';

runChild<AgentStart | ChildStop, AgentMessage>(async (first, send) => {
  if (first.type !== 'start') throw new Error(`agent: expected a start message, got ${first.type}`);
  const agent = new SyntheticAgent(first, send);
  await agent.start();
  return async () => {
    await agent.stop();
    await dispose();
  };
});
