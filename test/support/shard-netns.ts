/**
 * "Hosts" for a distributed test: each a network namespace of its own, on a veth to the namespace
 * this process runs in (the server's, made by scripts/netns-run.sh). Shard k's veth is
 * 198.18.1.(4k+1) on the server side and 198.18.1.(4k+2) on the host side, a /30 with no other
 * route: a shard can reach the server and nothing else.
 */
import { execFileSync } from 'node:child_process';

/** One shard host: its namespace, the server's address as it sees it, and its own. */
export interface ShardHost { ns: string; serverAddr: string; addr: string }

function ip(...args: string[]): void {
  execFileSync('ip', args, { stdio: ['ignore', 'ignore', 'pipe'] });
}

/** Creates shard host `k` (as root, inside the server's namespace). */
export function createShardHost(k: number): ShardHost {
  const ns = `voiceload-shard-${process.pid}-${k}`;
  const serverAddr = `198.18.1.${4 * k + 1}`;
  const addr = `198.18.1.${4 * k + 2}`;
  ip('netns', 'add', ns);
  ip('-n', ns, 'link', 'set', 'lo', 'up');
  execFileSync('ip', ['netns', 'exec', ns, 'sysctl', '-q', '-w', 'net.ipv6.conf.all.disable_ipv6=1', 'net.ipv6.conf.default.disable_ipv6=1']);
  ip('link', 'add', `vls${k}`, 'type', 'veth', 'peer', 'name', `vlh${k}`, 'netns', ns);
  ip('addr', 'add', `${serverAddr}/30`, 'dev', `vls${k}`);
  ip('link', 'set', `vls${k}`, 'up');
  ip('-n', ns, 'addr', 'add', `${addr}/30`, 'dev', `vlh${k}`);
  ip('-n', ns, 'link', 'set', `vlh${k}`, 'up');
  return { ns, serverAddr, addr };
}

/** Removes a shard host; its veth pair goes with it. */
export function removeShardHost(h: ShardHost): void {
  try {
    ip('netns', 'del', h.ns);
  } catch { /* already gone */ }
}

/** The command that runs `argv` inside the shard host (network namespace only, as netns-run.sh does). */
export function inShardHost(h: ShardHost, argv: string[]): string[] {
  return ['nsenter', `--net=/var/run/netns/${h.ns}`, '--', ...argv];
}
