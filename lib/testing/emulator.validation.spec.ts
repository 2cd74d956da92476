import { pythonJsonDumps } from './emulator.validation.js';

describe("pythonJsonDumps: Python's json.dumps text, which Polar's exports and metadata size rules count", () => {
  it("writes Python's separators and escapes as json.dumps does (nested values, non-ASCII, astral, DEL)", () => {
    // python3 -c 'import json; print(json.dumps({"a": [1, "é"], "b": {"c": True, "d": None}, "e": "😀\x7f"}))'
    expect(pythonJsonDumps({ a: [1, 'é'], b: { c: true, d: null }, e: '😀\x7f' })).toBe(
      '{"a": [1, "\\u00e9"], "b": {"c": true, "d": null}, "e": "\\ud83d\\ude00\\u007f"}',
    );
  });

  it('counts what the 1 KB metadata rule counts: an escaped character is six', () => {
    expect(pythonJsonDumps({ k: 'é'.repeat(10) }).length).toBe('{"k": ""}'.length + 60);
  });
});
