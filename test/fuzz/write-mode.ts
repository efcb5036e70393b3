import type { Feature } from './generate.js';
import type { FuzzWorld, Stats } from './harness.js';

export async function runWriteCases(_world: FuzzWorld, _seed: number, _count: number, _features: Set<Feature>, _stats: Stats, out: (line: string) => void): Promise<void> {
  out('write mode: not yet');
}
