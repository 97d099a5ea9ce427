import { UsageError } from '../common/errors.js';

/**
 * Whether bare agents run Silero VAD on their user's audio: yes, unless `VOICELOAD_AGENT_VAD=off`.
 * Off is a fixture for the generator bench: tone-only agents (they join, receive and decode the
 * user's audio, publish the tone, and run no VAD) cost a fraction of a voice agent, so 20 of them
 * fit beside the load side on a 2-core host and the generator is judged with an agent side that
 * keeps up. Such a run is invalid, as it measured no voice agent. Bad values are bad input.
 */
export function agentVad(runtime: string, env: NodeJS.ProcessEnv = process.env): boolean {
  const value = env.VOICELOAD_AGENT_VAD;
  if (value === undefined || value === '' || value === 'on') return true;
  if (value !== 'off') throw new UsageError(`VOICELOAD_AGENT_VAD=${value} is not on or off: unset it for agents that run VAD`);
  if (runtime !== 'bare') throw new UsageError(`VOICELOAD_AGENT_VAD=off applies to the bare runtime's agents, not to ${runtime} workers: unset it`);
  return false;
}

/** Why a run whose agents ran without VAD is invalid. */
export const NO_VAD_REASON = 'the agents ran tone-only, without VAD (VOICELOAD_AGENT_VAD=off, a fixture for the generator bench): not a voice agent\'s load';
