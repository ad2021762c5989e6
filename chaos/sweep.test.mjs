// The sweep's seed lists. Run: node --test chaos/sweep.test.mjs
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseSeeds } from './sweep.mjs';

test('--seeds takes a count, a list, a range, or a mix', () => {
  assert.deepEqual(parseSeeds('3'), [1, 2, 3]);
  assert.deepEqual(parseSeeds('7,99,1234'), [7, 99, 1234]);
  assert.deepEqual(parseSeeds('5-8'), [5, 6, 7, 8]);
  assert.deepEqual(parseSeeds('1-2,99'), [1, 2, 99]);
  assert.throws(() => parseSeeds('a-b'), /--seeds: cannot read "a-b"/);
});
