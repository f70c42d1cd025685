import { describe, expect, test } from 'vitest';
import { decodeBytes } from '../../agent/text/decode-bytes.js';

describe('decodeBytes', () => {
  test('returns valid UTF-8 unchanged, including Chinese and emoji', () => {
    const text = '金士顿 DataTraveler 🔒';
    expect(decodeBytes(Buffer.from(text))).toBe(text);
  });

  test.each([
    [[0xff], '\\xff'],
    [[0xc0, 0x80], '\\xc0\\x80'], // overlong NUL
    [[0xed, 0xa0, 0x80], '\\xed\\xa0\\x80'], // UTF-16 surrogate
    [[0xe4, 0xb8], '\\xe4\\xb8'], // truncated sequence
    [[0x41, 0xf4, 0x90, 0x80, 0x80, 0x42], 'A\\xf4\\x90\\x80\\x80B'], // above U+10FFFF
  ])('escapes invalid bytes %j losslessly', (bytes, expected) => {
    expect(decodeBytes(Uint8Array.from(bytes))).toBe(expected);
  });

  test('keeps valid sequences around invalid ones', () => {
    expect(decodeBytes(Uint8Array.from([0xe4, 0xb8, 0xad, 0x80, 0x41]))).toBe('中\\x80A');
  });
});
