import { describe, expect, it } from 'vitest';
import { ReadinessTracker, type FileObservation } from './readiness.js';

const file = (name: string, size = 10, mtimeMs = 1000, ino = 1): FileObservation => ({ name, size, mtimeMs, ino });
const none = new Set<string>();
const names = (fs: FileObservation[]): string[] => fs.map((f) => f.name);

describe('ReadinessTracker, stable mode', () => {
  it('makes a file ready only after it was seen unchanged for stableMs', () => {
    const t = new ReadinessTracker('stable', 100);
    expect(names(t.observe([file('a')], none, 0))).toEqual([]);
    expect(t.settlingMs).toBe(100);
    expect(names(t.observe([file('a')], none, 99))).toEqual([]);
    expect(t.settlingMs).toBe(1);
    expect(names(t.observe([file('a')], none, 100))).toEqual(['a']);
    expect(t.settlingMs).toBe(Infinity);
  });

  it('starts again when size, mtime or inode change', () => {
    const t = new ReadinessTracker('stable', 100);
    t.observe([file('a')], none, 0);
    expect(names(t.observe([file('a', 11)], none, 150))).toEqual([]);
    expect(names(t.observe([file('a', 11, 2000)], none, 300))).toEqual([]);
    expect(names(t.observe([file('a', 11, 2000, 7)], none, 450))).toEqual([]);
    expect(names(t.observe([file('a', 11, 2000, 7)], none, 550))).toEqual(['a']);
  });

  it('forgets files that are gone, and files it is told to forget', () => {
    const t = new ReadinessTracker('stable', 100);
    t.observe([file('a'), file('b')], none, 0);
    t.observe([file('b')], none, 50);
    t.forget('b');
    expect(names(t.observe([file('a'), file('b')], none, 120))).toEqual([]);
    expect(names(t.observe([file('a'), file('b')], none, 220))).toEqual(['a', 'b']);
  });

  it('with stableMs 0 takes a file at first sight', () => {
    expect(names(new ReadinessTracker('stable', 0).observe([file('a')], none, 0))).toEqual(['a']);
  });

  it('note() tells whether a fresh look still matches the settled file', () => {
    const t = new ReadinessTracker('stable', 100);
    t.observe([file('a')], none, 0);
    expect(t.note(file('a'), 100)).toBe(true);
    expect(t.note(file('a', 12), 200)).toBe(false);
    expect(t.note(file('a', 12), 300)).toBe(true);
  });
});

describe('ReadinessTracker, marker mode', () => {
  it('makes a file ready when its marker exists, without waiting', () => {
    const t = new ReadinessTracker('marker', 1000);
    expect(names(t.observe([file('a'), file('b')], new Set(['b', 'c']), 0))).toEqual(['b']);
    expect(t.settlingMs).toBe(Infinity);
    expect(names(t.observe([file('a'), file('b')], new Set(['a', 'b']), 1))).toEqual(['a', 'b']);
  });
});
