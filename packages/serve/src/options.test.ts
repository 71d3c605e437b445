import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { onnxProviderRegistry } from './onnx-providers.js';
import { DEFAULT_OPTIONS, defaultQueryCost, EXECUTION_PROVIDERS, parseServeArgs } from './options.js';

describe('parseServeArgs', () => {
  it('defaults to the shipped models and every provider in registry order', () => {
    const o = parseServeArgs([], {})!;
    expect(o).toEqual({ ...DEFAULT_OPTIONS, production: false });
    expect(o.models.endsWith(path.join('models', 'manifest.json'))).toBe(true);
    expect(o.executionProviders).toEqual([]);
  });

  it('reads flags', () => {
    const o = parseServeArgs(
      [
        '--port',
        '0',
        '--models',
        'x/models',
        '--ep',
        'WebGPU, cpu',
        '--max-batch',
        '32',
        '--max-wait-ms',
        '0',
        '--production',
        '--log-level',
        'debug',
        '--detector-threads',
        '3',
      ],
      {},
    )!;
    expect(o.port).toBe(0);
    expect(o.detectorThreads).toBe(3);
    expect(o.models).toBe(path.resolve('x/models'));
    expect(parseServeArgs(['--models', 'm'], { INIT_CWD: '/somewhere' })!.models).toBe('/somewhere/m');
    expect(o.executionProviders).toEqual(['webgpu', 'cpu']);
    expect(o.maxBatchSize).toBe(32);
    expect(o.maxBatchWaitMs).toBe(0);
    expect(o.production).toBe(true);
    expect(o.logLevel).toBe('debug');
  });

  it('reads SERVE_EP, PORT and NODE_ENV, with flags winning', () => {
    const env = { SERVE_EP: 'cpu', PORT: '8080', NODE_ENV: 'production' };
    expect(parseServeArgs([], env)).toMatchObject({
      executionProviders: ['cpu'],
      port: 8080,
      production: true,
    });
    expect(parseServeArgs(['--ep', 'cuda'], env)!.executionProviders).toEqual(['cuda']);
    expect(parseServeArgs([], { HOST: '127.0.0.1' })!.host).toBe('127.0.0.1');
    expect(parseServeArgs([], { HOST: '' })!.host).toBe(DEFAULT_OPTIONS.host);
  });

  it('reads CORS origins, or none', () => {
    expect(parseServeArgs(['--cors', 'http://a.test, http://b.test'], {})!.corsOrigins).toEqual([
      'http://a.test',
      'http://b.test',
    ]);
    expect(parseServeArgs([], { SERVE_CORS: 'none' })!.corsOrigins).toEqual([]);
  });

  it('returns null for --help and rejects bad values and unknown flags', () => {
    expect(parseServeArgs(['--help'], {})).toBeNull();
    // Help is what a user who mistyped a flag beside it wants.
    expect(parseServeArgs(['--prot', '80', '-h'], {})).toBeNull();
    // A flag given twice with different values: not the last one silently.
    expect(() => parseServeArgs(['--port', '80', '--port=81'], {})).toThrow(
      '--port is given twice, "80" then "81"; give it once',
    );
    expect(parseServeArgs(['--port', '80', '--port', '80'], {})!.port).toBe(80);
    // An unset shell variable is not a request for the default models.
    expect(() => parseServeArgs(['--models', ''], {})).toThrow(
      '--models is empty (an unset shell variable?); give it a value or leave it out',
    );
    expect(() => parseServeArgs(['--max-batch', '0'], {})).toThrow(
      '--max-batch must be a whole number from 1 to 4096, got "0"',
    );
    expect(() => parseServeArgs(['--detector-threads', '0'], {})).toThrow(
      '--detector-threads must be a whole number from 1 to 64, got "0"',
    );
    // No flag takes more than GraphQL's Int and Node's timers hold: health.limits failed whole on
    // --max-body 3000000000, and --drain-ms 3000000000 made a 1 ms grace period.
    for (const flag of ['--max-body', '--drain-ms', '--max-wait-ms', '--max-image-pixels', '--max-cost'])
      expect(() => parseServeArgs([flag, '3000000000'], {}), flag).toThrow(
        /must be a whole number from \d+ to 2147483647, got "3000000000"/,
      );
    expect(() => parseServeArgs(['--max-batch-items', '2000000'], {})).toThrow(/from 1 to 1000000/);
    expect(() => parseServeArgs(['--port', 'abc'], {})).toThrow(/--port/);
    expect(() => parseServeArgs(['--port', '70000'], {})).toThrow(
      '--port must be a whole number from 0 to 65535, got "70000"',
    );
    expect(() => parseServeArgs(['--log-level', 'loud'], {})).toThrow(/--log-level/);
    expect(() => parseServeArgs(['--bogus'], {})).toThrow(/bogus/);
    // classify { age { label } } is three deep: a lower limit would refuse every classification.
    expect(() => parseServeArgs(['--max-depth', '2'], {})).toThrow(
      '--max-depth must be a whole number from 3',
    );
    expect(() => parseServeArgs(['--ep', 'webgpu,tpu'], {})).toThrow(
      '--ep: unknown execution provider "tpu"; known: cuda, webgpu, cpu',
    );
    expect(() => parseServeArgs([], { SERVE_EP: 'gpu' })).toThrow(
      'SERVE_EP: unknown execution provider "gpu"',
    );
    // A bad value from the environment is named as the variable it came from.
    expect(() => parseServeArgs([], { PORT: 'abc' })).toThrow(
      'PORT must be a whole number from 0 to 65535, got "abc"',
    );
    expect(parseServeArgs(['--port', '81'], { PORT: 'abc' })!.port).toBe(81);
    expect(() => parseServeArgs([], { LOG_LEVEL: 'loud' })).toThrow(/^LOG_LEVEL must be one of/);
    // Log levels in any letter case, as platforms often set them for every service.
    expect(parseServeArgs([], { LOG_LEVEL: 'INFO' })!.logLevel).toBe('info');
    expect(parseServeArgs(['--log-level', 'Debug'], { LOG_LEVEL: 'WARN' })!.logLevel).toBe('debug');
  });

  it('raises the default cost limit with the batch size allowed, as startServer does', () => {
    expect(parseServeArgs([], {})!.maxQueryCost).toBe(12_000);
    expect(parseServeArgs(['--max-batch-items', '1000'], {})!.maxQueryCost).toBe(45_000);
    expect(defaultQueryCost(1000)).toBe(45_000);
    expect(defaultQueryCost(DEFAULT_OPTIONS.maxBatchItems)).toBe(DEFAULT_OPTIONS.maxQueryCost);
    expect(parseServeArgs(['--max-batch-items', '1000', '--max-cost', '500'], {})!.maxQueryCost).toBe(500);
  });

  it('knows the providers the server registers, in its order', () => {
    expect(onnxProviderRegistry([], { intraOpThreads: 0, warmBatchSizes: [] }).names()).toEqual(
      EXECUTION_PROVIDERS,
    );
  });
});
