/**
 * Opening the port, with a refusal an operator can act on: Node's own (`listen EADDRINUSE: address
 * already in use 0.0.0.0:4000`, `getaddrinfo ENOTFOUND api.local`) names neither the flag to change nor,
 * for a host name, that it was the address to bind. The error keeps Node's code, and its message says
 * which address failed, why, and which flag or variable sets it.
 */
import type http from 'node:http';

const WHY: Record<string, (port: number) => string> = {
  EADDRINUSE: () => 'the port is in use by another process; choose another with --port (or PORT)',
  EACCES: (port) =>
    `not allowed to bind port ${port}${port < 1024 ? ' (ports under 1024 need privileges)' : ''}; choose another with --port (or PORT)`,
  EADDRNOTAVAIL: () => 'no network interface of this machine has that address; check --host (or HOST)',
  ENOTFOUND: () => 'the host name does not resolve; check --host (or HOST)',
  EAI_AGAIN: () => 'the host name could not be resolved now; check --host (or HOST)',
};

export function listenError(error: Error & { code?: string }, host: string, port: number): Error {
  const why = error.code ? WHY[error.code] : undefined;
  const reason = why ? why(port) : error.message;
  // An IPv6 address in brackets, as in a URL: "::1:4000" does not say where the port begins.
  const address = host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
  return Object.assign(new Error(`cannot listen on ${address}: ${reason}`, { cause: error }), {
    code: error.code,
  });
}

/** Listens on `host:port`, rejecting with `listenError`'s explanation. */
export function listen(server: http.Server, host: string, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const fail = (error: Error) => reject(listenError(error, host, port));
    server.once('error', fail);
    server.listen(port, host, () => {
      server.off('error', fail);
      resolve();
    });
  });
}
