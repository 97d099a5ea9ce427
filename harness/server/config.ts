/** Inputs for a local server's configuration. */
export interface LocalServerConfig {
  apiKey: string;
  apiSecret: string;
  signalPort: number;
  tcpPort: number;
  udpPort: number;
  /** Addresses media may use: the private namespace's veth addresses, or none (loopback only). */
  mediaAddrs: string[];
  /** More addresses for signalling to listen on, besides loopback (none: loopback only). */
  signalAddrs?: string[];
}

/**
 * The server's YAML configuration. Signalling binds to loopback (and signalAddrs, when given); external IP discovery is off;
 * the STUN server handed to clients is a loopback port where nothing listens, so no client ever
 * asks a public STUN server (the server's default is Google's); ICE candidates are limited to the
 * given addresses (and loopback when there are none).
 */
export function renderServerConfig(c: LocalServerConfig): string {
  const hostOnly = c.mediaAddrs.length === 0;
  const includes = hostOnly ? ['127.0.0.0/8'] : c.mediaAddrs.map((a) => `${a}/32`);
  const nodeIp = hostOnly ? '127.0.0.1' : c.mediaAddrs[0];
  return [
    `port: ${c.signalPort}`,
    `bind_addresses: [${['127.0.0.1', ...(c.signalAddrs ?? [])].map((a) => JSON.stringify(a)).join(', ')}]`,
    'rtc:',
    `  tcp_port: ${c.tcpPort}`,
    `  udp_port: ${c.udpPort}`,
    '  use_external_ip: false',
    `  node_ip: ${nodeIp}`,
    '  stun_servers: ["127.0.0.1:3478"]',
    `  enable_loopback_candidate: ${hostOnly}`,
    '  ips:',
    `    includes: [${includes.map((i) => JSON.stringify(i)).join(', ')}]`,
    'keys:',
    `  ${c.apiKey}: ${c.apiSecret}`,
    'logging:',
    '  level: info',
    'room:',
    '  empty_timeout: 30',
    '',
  ].join('\n');
}
