/**
 * Every /graphql request's id: the caller's X-Request-Id (a proxy's, so one id follows the request
 * through both logs) when it is a plain token, else a fresh UUID. Its answer carries it, and so does
 * every log line about it — also those Apollo's plugin writes for a request refused before any request
 * pipeline starts (a GET without the CSRF preflight header, a batched body), whose hook is given no
 * context: it reads the id from `requestIds`, the store the HTTP front runs Apollo in.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';
import type http from 'node:http';

export const REQUEST_ID = 'x-request-id';

/** The id of the /graphql request being answered, in the code Apollo runs for it. */
export const requestIds = new AsyncLocalStorage<string>();

export function requestIdOf(req: http.IncomingMessage): string {
  const given = req.headers[REQUEST_ID];
  return typeof given === 'string' && /^[\w.:-]{1,128}$/.test(given) ? given : randomUUID();
}
