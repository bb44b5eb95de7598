/** A host as it stands in a URL: an IPv6 address in brackets. Shared by `kvadm serve` and `kvadm azion emulate`. */
export function urlHost(host: string): string {
  return host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
}
