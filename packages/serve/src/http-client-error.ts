/**
 * Requests Node's HTTP parser refuses before any handler sees them — headers over its 16 KB limit, a
 * request that is not HTTP, headers or a body that took longer than the timeouts — are answered as
 * Node answers them (431, 400, 408, 413, then the connection closes), and now also counted
 * (facekit_http_responses_total, facekit_errors_total) and logged like every other client error: by
 * default Node answered them without a word to the metrics or the log.
 */
import { STATUS_CODES, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import type { ServerState } from './state.js';

/** The status Node answers a parser error with, and the code the metrics and the log give it. */
function refusal(error: Error & { code?: string }): { status: number; code: string } {
  if (error.code === 'HPE_HEADER_OVERFLOW') return { status: 431, code: 'HEADERS_TOO_LARGE' };
  if (error.code === 'ERR_HTTP_REQUEST_TIMEOUT') return { status: 408, code: 'REQUEST_TIMEOUT' };
  if (error.code === 'HPE_CHUNK_EXTENSIONS_OVERFLOW') return { status: 413, code: 'PAYLOAD_TOO_LARGE' };
  return { status: 400, code: 'BAD_HTTP_REQUEST' };
}

/** A `clientError` listener for the server's http.Server. */
export function onClientError(state: ServerState) {
  return (error: Error & { code?: string }, socket: Duplex): void => {
    // A client that left (reset, or closed halfway through a request), or a request whose answer has
    // begun (the rest of a body the client stopped sending after its 413) or that was refused here
    // already (more bytes after a 400): nothing to answer or report, as Node does. Node's test is the
    // response in flight, not the bytes written: a kept-alive connection has answered earlier requests,
    // and its next bad one is still owed a 431 or 400.
    const left = error.code === 'ECONNRESET' || error.code === 'HPE_INVALID_EOF_STATE';
    const answering = (socket as { _httpMessage?: ServerResponse | null })._httpMessage?.headersSent;
    if (left || !socket.writable || answering) {
      socket.destroy();
      return;
    }
    const { status, code } = refusal(error);
    state.metrics.errors.inc({ code });
    state.metrics.responses.inc({ route: 'other', status: String(status) });
    state.clientErrors.warn('request error', { code, message: error.message });
    socket.end(`HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nConnection: close\r\n\r\n`);
  };
}
