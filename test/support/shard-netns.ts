/**
 * "Hosts" for a distributed test: each a network namespace of its own, its veth plugged into a
 * bridge in the namespace this process runs in (the server's, made by scripts/netns-run.sh), as
 * machines on one LAN. The server is 198.18.1.1 on the bridge; host k is 198.18.1.(k+2). The /24
 * has no route out: a host can reach the server and the other hosts, nothing else.
 */
import { execFileSync } from 'node:child_process';

/** The server's address on the hosts' LAN. */
export const SERVER_ADDR = '198.18.1.1';
const BRIDGE = 'vlbr0';

/** One shard host: its namespace and its address. */
export interface ShardHost { ns: string; addr: string }

function ip(...args: string[]): void {
  execFileSync('ip', args, { stdio: ['ignore', 'ignore', 'pipe'] });
}

/** The LAN's bridge, with the server's address on it (as root, inside the server's namespace). */
export function createLan(): void {
  ip('link', 'add', BRIDGE, 'type', 'bridge');
  ip('addr', 'add', `${SERVER_ADDR}/24`, 'dev', BRIDGE);
  ip('link', 'set', BRIDGE, 'up');
}

/** Creates shard host `k` on the LAN. */
export function createShardHost(k: number): ShardHost {
  const ns = `voiceload-shard-${process.pid}-${k}`;
  const addr = `198.18.1.${k + 2}`;
  ip('netns', 'add', ns);
  ip('-n', ns, 'link', 'set', 'lo', 'up');
  execFileSync('ip', ['netns', 'exec', ns, 'sysctl', '-q', '-w', 'net.ipv6.conf.all.disable_ipv6=1', 'net.ipv6.conf.default.disable_ipv6=1']);
  ip('link', 'add', `vls${k}`, 'type', 'veth', 'peer', 'name', `vlh${k}`, 'netns', ns);
  ip('link', 'set', `vls${k}`, 'master', BRIDGE);
  ip('link', 'set', `vls${k}`, 'up');
  ip('-n', ns, 'addr', 'add', `${addr}/24`, 'dev', `vlh${k}`);
  ip('-n', ns, 'link', 'set', `vlh${k}`, 'up');
  return { ns, addr };
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
