import { afterEach, describe, expect, it, vi } from 'vitest';
import { ClientErrorLog } from './client-error-log.js';
import { memoryLogger } from './logger.js';

describe('ClientErrorLog', () => {
  afterEach(() => vi.useRealTimers());

  it('writes up to its limit in a window, then one line counting the rest by code when it ends', () => {
    vi.useFakeTimers();
    const { logger, lines } = memoryLogger('info');
    const log = new ClientErrorLog(logger, 3, 10_000);
    for (let i = 0; i < 5; i++) log.warn('request error', { code: 'INVALID_PIXELS', i });
    log.warn('request error', { code: 'INVALID_JSON' });
    expect(lines.map((l) => l.i)).toEqual([0, 1, 2]);
    vi.advanceTimersByTime(10_000);
    expect(lines.at(-1)).toMatchObject({
      level: 'warn',
      msg: 'client errors not logged',
      count: 3,
      byCode: { INVALID_PIXELS: 2, INVALID_JSON: 1 },
    });
    // The next window writes again.
    log.warn('request error', { code: 'INVALID_PIXELS', i: 9 });
    expect(lines.at(-1)).toMatchObject({ msg: 'request error', i: 9 });
    vi.advanceTimersByTime(10_000);
    expect(lines.filter((l) => l.msg === 'client errors not logged')).toHaveLength(1);
  });

  it('says what it left unwritten when flushed at shutdown, and nothing when there was nothing', () => {
    const { logger, lines } = memoryLogger('info');
    const log = new ClientErrorLog(logger, 1, 60_000);
    log.flush();
    expect(lines).toHaveLength(0);
    log.warn('request error', { code: 'CLIENT_GONE' });
    log.warn('request error', { code: 'CLIENT_GONE' });
    log.flush();
    expect(lines.map((l) => l.msg)).toEqual(['request error', 'client errors not logged']);
  });
});
