import { describe, expect, it } from 'vitest';
import { SortedByIdEdits } from '#core/translate/gateway-api/sorted-by-id-edits.js';

const item = (id: string, v = 0) => ({ id, v });

describe('SortedByIdEdits', () => {
  const base = [item('b'), item('d'), item('f')];

  it('looks up, adds, replaces and removes, keeping the id order', () => {
    const edits = new SortedByIdEdits(base);
    expect(edits.get('d')).toBe(base[1]);
    expect(edits.get('c')).toBeUndefined();
    edits.set('a', item('a'));
    edits.set('e', item('e'));
    edits.set('g', item('g'));
    edits.delete('d');
    edits.set('f', item('f', 1));
    expect(edits.get('d')).toBeUndefined();
    expect(edits.result()).toEqual([item('a'), item('b'), item('e'), item('f', 1), item('g')]);
    expect(edits.result()[1]).toBe(base[0]);
    expect(base).toEqual([item('b'), item('d'), item('f')]);
  });

  it('gives the list itself when the edits change nothing', () => {
    const edits = new SortedByIdEdits(base);
    edits.delete('d');
    edits.set('d', base[1]!);
    edits.delete('x');
    expect(edits.result()).toBe(base);
  });
});
