import { parse, type OperationDefinitionNode } from 'graphql';
import { describe, expect, it } from 'vitest';
import { operationLabel } from './observability.js';

const label = (query: string) =>
  operationLabel(
    parse(query).definitions.find((d) => d.kind === 'OperationDefinition') as OperationDefinitionNode,
  );

describe('operationLabel', () => {
  it('names the root field, introspection, or what is not ours', () => {
    expect(label('mutation { classify(input: {}) { age { label } } }')).toBe('classify');
    expect(label('{ health { ready } __typename }')).toBe('health');
    expect(label('{ __schema { types { name } } }')).toBe('introspection');
    expect(label('{ __type(name: "Health") { name } __typename }')).toBe('introspection');
    // A client's connectivity ping is not introspection.
    expect(label('{ __typename }')).toBe('other');
    expect(label('{ health { ready } models { task } }')).toBe('mixed');
    expect(operationLabel(undefined)).toBe('invalid');
  });
});
