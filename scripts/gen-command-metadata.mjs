// Regenerates src/dispatch/redis-commands.json from a live Redis 7.0.
//
// Redis builds its command table from declared JSON (src/commands/*.json); we
// take the same declarations as Redis 7.0 exposes them through COMMAND INFO and
// COMMAND DOCS, so arity, flags, key specs, ACL categories and docs are Redis's
// exactly. Handlers are attached by name in src/commands/*.ts; COMMAND lists
// only the commands Reddish implements.
//
// Usage: npm run build && node scripts/gen-command-metadata.mjs [redis-server path]
//        node scripts/gen-command-metadata.mjs --sentinel   (redis-sentinel's table → redis-sentinel-commands.json)
// Tree encoding: JSON string = bulk, number = integer, array = array,
// {"+":s} = simple string, {"~":[...]} = set, {"%":[[k,v],...]} = map, null = null.
import { spawn } from 'node:child_process';
import net from 'node:net';
import fs from 'node:fs';
import { decode } from '../dist/src/protocol/resp-value.js';

const sentinel = process.argv[2] === '--sentinel';
const bin = sentinel ? 'redis-sentinel' : process.argv[2] ?? 'redis-server';
const port = 20000 + Math.floor(Math.random() * 20000);
let args = ['--port', String(port), '--save', '', '--appendonly', 'no'];
if (sentinel) {
  // Sentinel needs a writable config file of its own.
  const dir = fs.mkdtempSync('/tmp/gen-sentinel-');
  fs.writeFileSync(`${dir}/sentinel.conf`, `port ${port}\nbind 127.0.0.1\n`);
  args = [`${dir}/sentinel.conf`];
}
const srv = spawn(bin, args, { stdio: 'ignore' });
await new Promise((r) => setTimeout(r, 300));

function tree(v) {
  switch (v.type) {
    case 'bulk': return v.value;
    case 'simple': return { '+': v.value };
    case 'integer': return Number(v.value);
    case 'null': return null;
    case 'array': return v.value.map(tree);
    case 'set': return { '~': v.value.map(tree) };
    case 'map': return { '%': v.value.map(([k, x]) => [tree(k), tree(x)]) };
    default: throw new Error('unexpected ' + v.type);
  }
}

function ask(sock, cmd) {
  return new Promise((resolve) => {
    let buf = Buffer.alloc(0);
    const onData = (d) => {
      buf = Buffer.concat([buf, d]);
      const r = decode(buf, 0);
      if (r) { sock.off('data', onData); resolve(r.value); }
    };
    sock.on('data', onData);
    sock.write(`*${cmd.length}\r\n` + cmd.map((a) => `$${Buffer.byteLength(a)}\r\n${a}\r\n`).join(''));
  });
}

const sock = net.connect(port, '127.0.0.1');
await new Promise((r) => sock.once('connect', r));
await ask(sock, ['HELLO', '3']);
const info = await ask(sock, ['COMMAND', 'INFO']);
const docs = await ask(sock, ['COMMAND', 'DOCS']);
sock.end();
srv.kill();

const out = {};
for (const entry of info.value) {
  const name = entry.value[0].value;
  out[name] = { info: tree(entry), docs: null };
}
for (const [k, v] of docs.value) {
  if (out[k.value]) out[k.value].docs = tree(v);
}
const sorted = Object.fromEntries(Object.keys(out).sort().map((k) => [k, out[k]]));
const target = sentinel ? 'redis-sentinel-commands.json' : 'redis-commands.json';
fs.writeFileSync(new URL(`../src/dispatch/${target}`, import.meta.url), JSON.stringify(sorted) + '\n');
console.log(`wrote ${Object.keys(sorted).length} commands`);
