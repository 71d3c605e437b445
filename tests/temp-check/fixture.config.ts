/**
 * The project's Vitest config run on tests/temp-check/leaky-file.fixture.ts alone: the file that
 * tests/temp-check/temp-check.test.ts runs in a Vitest of its own, which the project's include (*.test.ts)
 * leaves out of an ordinary run.
 */
import { defineConfig } from 'vitest/config';
import project from '../../vitest.config.js';

export default defineConfig({
  ...project,
  test: { ...project.test, include: ['tests/temp-check/leaky-file.fixture.ts'] },
});
