import { GraphQLError } from 'graphql';
import { describe, expect, it } from 'vitest';
import { InvalidPixelsError } from '@facekit/core';
import { createFormatError, ServeError } from './errors.js';

/** What graphql-js hands formatError for an error thrown in a resolver at `path`. */
function fromResolver(original: Error): {
  formatted: ReturnType<GraphQLError['toJSON']>;
  error: GraphQLError;
} {
  const error = new GraphQLError(original.message, {
    path: ['classify'],
    originalError: original,
    extensions: { code: 'INTERNAL_SERVER_ERROR', stacktrace: ['at x'] },
  });
  return { formatted: error.toJSON(), error };
}

describe('createFormatError', () => {
  it('keeps our codes, messages and fields, with no stack in production or development', () => {
    const { formatted, error } = fromResolver(new ServeError('IMAGE_TOO_LARGE', 'input.image', 'too big'));
    expect(createFormatError(true)(formatted, error)).toEqual({
      message: 'input.image: too big',
      path: ['classify'],
      extensions: { code: 'IMAGE_TOO_LARGE', field: 'input.image' },
    });
    expect(createFormatError(false)(formatted, error).extensions).toEqual({
      code: 'IMAGE_TOO_LARGE',
      field: 'input.image',
    });
    const core = fromResolver(new InvalidPixelsError('inputs[2].pixels', 'bad'));
    expect(createFormatError(true)(core.formatted, core.error).extensions).toEqual({
      code: 'INVALID_PIXELS',
      field: 'inputs[2].pixels',
    });
  });

  it('hides the message and stack of an unexpected error in production, not in development', () => {
    const { formatted, error } = fromResolver(
      new TypeError('cannot read properties of undefined (secret internals)'),
    );
    expect(createFormatError(true)(formatted, error)).toEqual({
      message: 'internal error',
      path: ['classify'],
      extensions: { code: 'INTERNAL_SERVER_ERROR' },
    });
    const dev = createFormatError(false)(formatted, error);
    expect(dev.message).toMatch(/secret internals/);
    expect(dev.extensions!.stacktrace).toEqual(['at x']);
  });

  it("keeps GraphQL's own codes (validation, user input), with no stack in production or development", () => {
    const error = new GraphQLError('Cannot query field "x"', {
      extensions: { code: 'GRAPHQL_VALIDATION_FAILED', stacktrace: ['s'] },
    });
    for (const production of [true, false])
      expect(createFormatError(production)(error.toJSON(), error)).toEqual({
        message: 'Cannot query field "x"',
        extensions: { code: 'GRAPHQL_VALIDATION_FAILED' },
      });
  });
});
