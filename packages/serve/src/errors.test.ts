import { GraphQLError } from 'graphql';
import { describe, expect, it } from 'vitest';
import { InvalidPixelsError } from '@facekit/core';
import { createFormatError, graphqlErrorCode, ServeError, shortMessage } from './errors.js';

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

  it('says a query too deeply nested to parse is that, not the stack overflow Apollo reports', () => {
    const error = new GraphQLError('Maximum call stack size exceeded', {
      extensions: { code: 'GRAPHQL_PARSE_FAILED' },
    });
    for (const production of [true, false])
      expect(createFormatError(production)(error.toJSON(), error)).toEqual({
        message: expect.stringMatching(/^query: is nested too deeply to parse/),
        extensions: { code: 'GRAPHQL_PARSE_FAILED' },
      });
  });
});

describe('shortMessage', () => {
  it('leaves a message of up to 1,000 characters as it is', () => {
    const message = `Variable "$c" got invalid value "${'z'.repeat(900)}"`;
    expect(shortMessage(message)).toBe(message);
  });

  it('cuts each long quoted value to 80 characters and its length, escaped quotes and all', () => {
    const value = `a\\"b${'z'.repeat(3000)}`;
    expect(shortMessage(`Variable "$c" got invalid value "${value}"; Int cannot represent "${value}".`)).toBe(
      `Variable "$c" got invalid value "${value.slice(0, 80)}…" (3004 characters); Int cannot represent ` +
        `"${value.slice(0, 80)}…" (3004 characters).`,
    );
  });

  it('cuts a quote that is never closed, and anything still too long, to 1,000 characters', () => {
    expect(shortMessage(`got "${'q'.repeat(2000)}`)).toBe(`got "${'q'.repeat(80)}…`);
    expect(shortMessage(`{ ${'k'.repeat(3000)}: 1 }`)).toBe(`{ ${'k'.repeat(998)}…`);
  });
});

describe('graphqlErrorCode', () => {
  it('keeps the code an error carries; a codeless one Apollo gave a 4xx status is BAD_REQUEST', () => {
    expect(graphqlErrorCode(new GraphQLError('x'), 'BAD_USER_INPUT')).toBe('BAD_USER_INPUT');
    const http400 = new GraphQLError('provided sha does not match query', {
      extensions: { http: { status: 400 } },
    });
    expect(graphqlErrorCode(http400, undefined)).toBe('BAD_REQUEST');
    expect(graphqlErrorCode(http400, 'INTERNAL_SERVER_ERROR')).toBe('BAD_REQUEST');
    expect(graphqlErrorCode(new GraphQLError('boom'), undefined)).toBe('INTERNAL_SERVER_ERROR');
    const http500 = new GraphQLError('boom', { extensions: { http: { status: 500 } } });
    expect(graphqlErrorCode(http500, undefined)).toBe('INTERNAL_SERVER_ERROR');
    // graphql-js's own, after the 50th wrong variable value: no code, no status, the client's mistake.
    const tooMany = new GraphQLError(
      'Too many errors processing variables, error limit reached. Execution aborted.',
    );
    expect(graphqlErrorCode(tooMany, undefined)).toBe('BAD_USER_INPUT');
  });
});
