/**
 * An Apollo plugin that measures and reports every GraphQL request: latency by root operation,
 * request outcome, errors by code; one structured log line per request at `debug`, client errors at
 * `warn` (code and message) and server faults at `error` with their stack — in logs only, never in the
 * response. Requests Apollo refuses before a request pipeline starts (a GET without the preflight
 * header, a batched body, a `query` that is not a string) are counted and logged the same way.
 */
import type { ApolloServerPlugin } from '@apollo/server';
import type { GraphQLError, OperationDefinitionNode } from 'graphql';
import { errorCode, graphqlErrorCode, isClientError, shortMessage, unwrapError } from './errors.js';
import { requestIds } from './request-id.js';
import type { ServeContext, ServerState } from './state.js';

const OPERATIONS = new Set(['classify', 'classifyBatch', 'classifyFaces', 'models', 'detector', 'health']);

/**
 * A low-cardinality label for a request: its root field, `introspection`, `mixed` (several of ours),
 * `other` (none of ours), or `invalid` (no operation to run).
 */
export function operationLabel(operation: OperationDefinitionNode | undefined): string {
  if (!operation) return 'invalid';
  const names = operation.selectionSet.selections.map((s) =>
    s.kind === 'Field' ? s.name.value : 'fragment',
  );
  // `{ __typename }` alone is a client's ping, not introspection: it falls to `other`.
  if (names.every((n) => n.startsWith('__')) && names.some((n) => n !== '__typename')) return 'introspection';
  const known = [...new Set(names.filter((n) => OPERATIONS.has(n)))];
  return known.length === 1 ? known[0]! : known.length === 0 ? 'other' : 'mixed';
}

function codeOf(error: GraphQLError): string {
  const code = errorCode(unwrapError(error));
  return code !== 'INTERNAL_SERVER_ERROR' ? code : graphqlErrorCode(error, error.extensions.code);
}

export function observabilityPlugin(state: ServerState): ApolloServerPlugin<ServeContext> {
  return {
    // Apollo's BAD_REQUEST refusals that come before requestDidStart (CSRF, batching, a body that is not
    // a GraphQL request) reach no other hook: without this they were neither counted nor logged.
    async invalidRequestWasReceived({ error }) {
      const code = graphqlErrorCode(error, (error as Partial<GraphQLError>).extensions?.code);
      state.metrics.errors.inc({ code });
      state.metrics.requests.inc({ operation: 'invalid', outcome: 'error' });
      // No context here: the id comes from the store the HTTP front runs Apollo in (request-id.ts).
      const requestId = requestIds.getStore();
      state.clientErrors.warn('request error', { code, message: shortMessage(error.message), requestId });
      state.logger.debug('request', { requestId, operation: 'invalid', outcome: 'error', codes: [code] });
    },
    async requestDidStart({ contextValue }) {
      const { metrics, logger, clientErrors } = contextValue.state;
      const { requestId } = contextValue;
      const started = performance.now();
      let operation = 'invalid';
      const codes: string[] = [];
      return {
        async didResolveOperation(ctx) {
          operation = operationLabel(ctx.operation);
        },
        async didEncounterErrors({ errors }) {
          let gone = 0;
          for (const error of errors) {
            const code = codeOf(error);
            codes.push(code);
            metrics.errors.inc({ code });
            // One line for a client that left, not one per photo it no longer waits for.
            if (code === 'CLIENT_GONE' && gone++ > 0) continue;
            const original = unwrapError(error);
            const known = isClientError(original) || code !== 'INTERNAL_SERVER_ERROR';
            if (known)
              clientErrors.warn('request error', {
                code,
                message: shortMessage(error.message),
                path: error.path,
                requestId,
              });
            else logger.error('internal error', { code, path: error.path, requestId, error: original });
          }
        },
        async willSendResponse({ response }) {
          const seconds = (performance.now() - started) / 1000;
          const body = response.body.kind === 'single' ? response.body.singleResult : undefined;
          const outcome =
            codes.length === 0
              ? 'ok'
              : body?.data && Object.values(body.data).some((v) => v !== null)
                ? 'partial'
                : 'error';
          metrics.requests.inc({ operation, outcome });
          metrics.latency.observe({ operation }, seconds);
          if (logger.enabled('debug')) {
            logger.debug('request', {
              requestId,
              operation,
              outcome,
              ms: Math.round(seconds * 1e4) / 10,
              ...(codes.length ? { codes } : {}),
            });
          }
        },
      };
    },
  };
}
