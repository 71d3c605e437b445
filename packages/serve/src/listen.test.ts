import { describe, expect, it } from 'vitest';
import { listenError } from './listen.js';

const failure = (code: string) => Object.assign(new Error(`listen ${code}`), { code });

describe('listenError', () => {
  it('names the address, with an IPv6 one in brackets, and keeps Node’s code and error', () => {
    const inUse = failure('EADDRINUSE');
    const error = listenError(inUse, '127.0.0.1', 4000);
    expect(error.message).toBe(
      'cannot listen on 127.0.0.1:4000: the port is in use by another process; choose another with --port (or PORT)',
    );
    expect(error).toMatchObject({ code: 'EADDRINUSE', cause: inUse });
    expect(listenError(failure('EADDRNOTAVAIL'), '::1', 4000).message).toBe(
      'cannot listen on [::1]:4000: no network interface of this machine has that address; check --host (or HOST)',
    );
    expect(listenError(failure('EACCES'), '::', 80).message).toMatch(/^cannot listen on \[::\]:80: /);
  });
});
