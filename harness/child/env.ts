/** Variables a child process may inherit; everything else (LIVEKIT_API_SECRET above all) stays behind. */
const PASSED = ['PATH', 'HOME', 'LANG', 'LC_ALL', 'TMPDIR', 'TZ', 'VOICELOAD_NETNS', 'VOICELOAD_NETNS_ADDRS'];

/** A minimal environment for a child process: an allow-list, never the parent's whole env. */
export function childEnv(extra: Record<string, string> = {}, from: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const key of PASSED) {
    const value = from[key];
    if (value !== undefined) env[key] = value;
  }
  // rtc-node logs at debug level unless NODE_ENV is production.
  return { ...env, NODE_ENV: 'production', ...extra };
}
