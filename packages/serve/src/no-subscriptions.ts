/**
 * A validation rule refusing subscriptions. The schema has none, but graphql-js 16 only notices when it
 * comes to run one ("Schema is not configured to execute subscription operation"), which reached the
 * client and the logs as an INTERNAL_SERVER_ERROR; refused here, it is GRAPHQL_VALIDATION_FAILED.
 */
import type { ValidationRule } from 'graphql';
import { GraphQLError } from './graphql-runtime.js';

export const noSubscriptions: ValidationRule = (context) => ({
  OperationDefinition(node) {
    if (node.operation === 'subscription')
      context.reportError(
        new GraphQLError('subscription: this server has none; send a query or a mutation', { nodes: node }),
      );
  },
});
