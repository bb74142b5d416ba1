/**
 * Keyspace notifications (notify.c): every ks.notify(class, event, key, db)
 * becomes, when `notify-keyspace-events` enables the class,
 *   PUBLISH __keyspace@<db>__:<key> <event>   (K)
 *   PUBLISH __keyevent@<db>__:<event> <key>   (E)
 * The keyspace's onEvent hook is installed only while some class and K or E
 * are enabled, so writes pay nothing otherwise. The directive's parsing and
 * canonical form (keyspaceEventsStringToFlags / FlagsToString) live with the
 * directive in config/directives.ts.
 */
import type { Server } from '../server.js';
import type { KeyEventClass } from './keyspace.js';
import { keyspaceEventsFlags } from '../config/directives.js';

export const NOTIFY_KEYSPACE = 1 << 0;
export const NOTIFY_KEYEVENT = 1 << 1;

/** The flag bit of each event class (server.h NOTIFY_*). */
export const CLASS_FLAG: Record<KeyEventClass | 'keymiss', number> = {
  generic: 1 << 2,
  string: 1 << 3,
  list: 1 << 4,
  set: 1 << 5,
  hash: 1 << 6,
  zset: 1 << 7,
  expired: 1 << 8,
  evicted: 1 << 9,
  stream: 1 << 10,
  keymiss: 1 << 11,
  module: 1 << 12,
  new: 1 << 13,
};

const ANY_CLASS = ~(NOTIFY_KEYSPACE | NOTIFY_KEYEVENT);

/** Follows the directive: installs or removes the keyspace's onEvent hook. */
export function installKeyspaceEvents(server: Server): void {
  server.config.watch('notify-keyspace-events', (v) => {
    const raw = server.config.lastInput.get('notify-keyspace-events');
    const flags = (raw !== undefined && raw.length === 1 ? keyspaceEventsFlags(raw[0]) : null) ?? keyspaceEventsFlags(v) ?? 0;
    const ks = server.ks;
    if ((flags & (NOTIFY_KEYSPACE | NOTIFY_KEYEVENT)) === 0 || (flags & ANY_CLASS) === 0) {
      ks.onEvent = null;
      return;
    }
    const pubsub = server.pubsub;
    const space = (flags & NOTIFY_KEYSPACE) !== 0;
    const event = (flags & NOTIFY_KEYEVENT) !== 0;
    ks.onEvent = (type, name, key, db) => {
      if ((flags & CLASS_FLAG[type]) === 0) return;
      if (space) pubsub.publish(`__keyspace@${db}__:${key}`, name);
      if (event) pubsub.publish(`__keyevent@${db}__:${name}`, key);
    };
  });
}
