/**
 * A copy-on-write map over a bound query's tree: `visit` sees each node (expressions, FROM items,
 * blocks, CTEs) after its parts were mapped, and returns it or its replacement. A node none of whose
 * parts changed is kept as it is, so the identity of everything untouched is kept (push-down finds
 * its blocks and pushed conditions by identity). Catalog objects and types are not walked.
 */
const NOT_WALKED = new Set(['column', 'table', 'sqlType', 'outputTypes']);

export function mapTree<T>(root: T, visit: (node: Record<string, unknown>) => Record<string, unknown>): T {
  const map = (value: unknown, key?: string): unknown => {
    if ((key !== undefined && NOT_WALKED.has(key)) || value === null || typeof value !== 'object') return value;
    if (Array.isArray(value)) {
      let copy: unknown[] | undefined;
      for (let i = 0; i < value.length; i++) {
        const next = map(value[i]);
        if (next !== value[i] && !copy) copy = value.slice(0, i);
        copy?.push(next);
      }
      return copy ?? value;
    }
    const node = value as Record<string, unknown>;
    let copy: Record<string, unknown> | undefined;
    for (const k in node) {
      const next = map(node[k], k);
      if (next !== node[k] && !copy) copy = { ...node };
      if (copy) copy[k] = next;
    }
    return visit(copy ?? node);
  };
  return map(root) as T;
}

/** every node of the tree, as mapTree walks it (nothing is changed) */
export function forEachNode(root: unknown, visit: (node: Record<string, unknown>) => void): void {
  mapTree(root, (node) => {
    visit(node);
    return node;
  });
}
