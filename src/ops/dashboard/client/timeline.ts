/**
 * The Sentinel event timeline (browser code, see dom.ts): newest first, one
 * row per event with its time, name, text and the Sentinels that reported it.
 * An update of an entry (one more Sentinel saw it) rewrites its row in place.
 */
import type { SentinelEvent } from '../api-types.js';
import { fmtTime, htmlEl } from './dom.js';

/** A color class per kind of event: trouble, recovery, the failover's steps, the switch itself. */
export function eventClass(channel: string): string {
  if (channel === '+switch-master') return 'ev-switch';
  if (/^\+(sdown|odown|tilt)$|^-failover-abort|^\+failover-end-for-timeout$/.test(channel)) return 'ev-bad';
  if (/^-(sdown|odown|tilt)$|^\+reboot$/.test(channel)) return 'ev-good';
  if (/failover|elected-leader|selected-slave|promoted-slave|vote-for-leader|new-epoch|slave-reconf/.test(channel)) return 'ev-flow';
  return 'ev-info';
}

export function renderEvent(list: HTMLElement, e: SentinelEvent, keep: number): void {
  let li = list.querySelector(`li[data-id="${e.id}"]`);
  if (li === null) {
    li = document.createElement('li');
    // Ids grow with time: insert before the first older row (replays of the backlog arrive in order too).
    const older = [...list.children].find((c) => Number(c.getAttribute('data-id')) < e.id);
    list.insertBefore(li, older ?? null);
    while (list.children.length > keep) list.lastElementChild?.remove();
  }
  li.replaceChildren();
  li.setAttribute('data-testid', 'event');
  li.setAttribute('data-id', String(e.id));
  li.setAttribute('data-channel', e.channel);
  li.className = eventClass(e.channel);
  htmlEl(li, 'time', { datetime: new Date(e.at).toISOString() }, fmtTime(e.at));
  htmlEl(li, 'span', { class: 'chan' }, e.channel);
  htmlEl(li, 'span', { class: 'msg', title: e.message }, e.message);
  htmlEl(li, 'span', { class: 'via', title: `reported by ${e.sentinels.join(', ')}` }, `×${e.sentinels.length}`);
}
