import { describe, expect, it } from 'vitest';
import { ClusterSets, InvalidClusterSetsError } from '#core/index/cluster-sets.js';

describe('ClusterSets', () => {
  it('reads `a,b;c,d` into the peers of each cluster; a cluster in none has none', () => {
    const sets = ClusterSets.parse(' eu-1, us-1 ; x,y,z ');
    expect(sets.peersOf('eu-1')).toEqual(['us-1']);
    expect(sets.peersOf('y')).toEqual(['x', 'z']);
    expect(sets.peersOf('alone')).toEqual([]);
    expect(ClusterSets.parse(undefined).peersOf('eu-1')).toEqual([]);
    expect(ClusterSets.parse('').peersOf('eu-1')).toEqual([]);
  });

  it('refuses what it cannot mean, saying why', () => {
    expect(() => ClusterSets.parse('a,b;b,c')).toThrow(
      new InvalidClusterSetsError('cluster b is listed twice (a cluster is in one clusterset)'),
    );
    expect(() => ClusterSets.parse('a,A_1')).toThrow(/"A_1" is not a cluster id/);
    expect(() => ClusterSets.parse('a')).toThrow(/clusterset 1 has 1 cluster\(s\): it needs two or more/);
    expect(() => ClusterSets.parse('a,a')).toThrow(/listed twice/);
  });
});
