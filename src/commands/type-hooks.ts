/**
 * Where each data type plugs into the commands that work on any value:
 * DEBUG DIGEST(-VALUE), MEMORY USAGE and SORT. One explicit call at server
 * start fills the registries, so no module registers itself as a side effect
 * of being imported.
 */
import { VALUE_DIGESTS } from '../observe/digest.js';
import { VALUE_SIZES } from './introspection.js';
import { SORT_TYPES } from './sort.js';
import { hashDigest, hashMemoryUsage, hashField } from './hashes.js';
import { setDigest, setMemoryUsage, setElements } from './sets.js';
import { zsetDigest, zsetMemoryUsage, zsetElements } from './sorted-sets/index.js';
import { listDigest, listMemoryUsage, listElements, newList } from './lists.js';
import { streamDigest, streamMemoryUsage } from './stream-info.js';
import type { SortedSet } from '../datatypes/sorted-set.js';

let installed = false;

export function installTypeHooks(): void {
  if (installed) return;
  installed = true;
  VALUE_DIGESTS.list = listDigest;
  VALUE_DIGESTS.hash = hashDigest;
  VALUE_DIGESTS.set = setDigest;
  VALUE_DIGESTS.zset = zsetDigest;
  VALUE_DIGESTS.stream = streamDigest;
  VALUE_SIZES.list = listMemoryUsage;
  VALUE_SIZES.hash = hashMemoryUsage;
  VALUE_SIZES.set = setMemoryUsage;
  VALUE_SIZES.zset = zsetMemoryUsage;
  VALUE_SIZES.stream = streamMemoryUsage;
  SORT_TYPES.hashField = hashField;
  SORT_TYPES.elements.set('list', listElements);
  SORT_TYPES.newList = newList;
  SORT_TYPES.elements.set('set', setElements);
  SORT_TYPES.elements.set('zset', zsetElements);
  SORT_TYPES.zsetToSkiplist = (v) => (v as SortedSet).convertToSkiplist();
}
