/**
 * redlock 5's package.json has an "exports" map without a "types" condition,
 * so under NodeNext resolution TypeScript cannot find its (bundled)
 * declarations; this points the bare specifier at them.
 */
declare module 'redlock' {
  type Declared = typeof import('../../node_modules/redlock/dist/index.js');
  const Redlock: Declared['default'];
  type Redlock = import('../../node_modules/redlock/dist/index.js').default;
  export default Redlock;
  export const ExecutionError: Declared['ExecutionError'];
  export type ExecutionError = import('../../node_modules/redlock/dist/index.js').ExecutionError;
  export const ResourceLockedError: Declared['ResourceLockedError'];
  export type ResourceLockedError = import('../../node_modules/redlock/dist/index.js').ResourceLockedError;
  export type Lock = import('../../node_modules/redlock/dist/index.js').Lock;
  export type Settings = import('../../node_modules/redlock/dist/index.js').Settings;
}
