/**
 * XINFO STREAM's radix-tree-nodes: how many nodes Redis's rax holds for the
 * stream's node keys (16-byte big-endian master IDs).
 *
 * A rax keeps its tree compressed: a node at every branching prefix, at each
 * child of a branching node, at every key (here always a leaf, the keys all
 * having the same length) and the root; runs of single-child prefixes are
 * folded into the node above them. Insertions split and removals re-merge so
 * that the tree stays in that form, so the count follows from the keys alone:
 * for sorted keys the branching prefixes are the longest common prefixes of
 * neighbours.
 *
 *   keys 00..0A 00..0B  → root "00..0" (compressed), branch node, two leaves
 *                         plus the root's own node: 4 nodes
 */
export function raxNodeCount(sortedKeys: readonly string[]): number {
  const prefixes = new Set<string>();
  for (let i = 0; i < sortedKeys.length; i++) {
    const k = sortedKeys[i];
    prefixes.add(k);
    if (i + 1 === sortedKeys.length) break;
    const n = sortedKeys[i + 1];
    let l = 0;
    const max = Math.min(k.length, n.length);
    while (l < max && k.charCodeAt(l) === n.charCodeAt(l)) l++;
    if (l > 0) prefixes.add(k.slice(0, l));
    prefixes.add(k.slice(0, l + 1));
    prefixes.add(n.slice(0, l + 1));
  }
  prefixes.delete('');
  return 1 + prefixes.size;
}
