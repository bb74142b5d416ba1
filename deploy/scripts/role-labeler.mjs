#!/usr/bin/env node
/**
 * role-labeler: the sidecar that makes the Helm chart's master Service follow
 * the master. Every INTERVAL_SECONDS it decides this pod's role and, when it
 * changed, sets the pod label reddish.io/role to "master" or "replica" through
 * the Kubernetes API (a merge patch of its own pod; RBAC allows nothing else).
 * The Services <release>-master and <release>-replicas select on that label.
 *
 * The role: the local server's INFO replication says master or slave. A server
 * that says master is labelled master only if the Sentinels (when configured)
 * agree that this pod is the master - an old master that comes back after a
 * failover says "master" until Sentinel demotes it, and must not get writes
 * meanwhile. When the Sentinels cannot be asked, the server's own word stands;
 * when the server cannot be asked, the label is left as it is (the pod is not
 * ready then, so no Service sends it traffic anyway).
 *
 * Environment (set by the chart's StatefulSet):
 *   POD_NAME, POD_NAMESPACE, POD_IP, SELF_HOST   who this pod is (SELF_HOST: its DNS name)
 *   REDIS_PORT (6379), REDIS_PASSWORD            the local server
 *   SENTINEL_HOST, SENTINEL_PORT, MASTER_NAME    the Sentinels' Service (optional)
 *   ROLE_LABEL (reddish.io/role), INTERVAL_SECONDS (2)
 *   KUBE_API_URL                                 default https://$KUBERNETES_SERVICE_HOST:$KUBERNETES_SERVICE_PORT
 *   KUBE_TOKEN_FILE, KUBE_CA_FILE                default: the pod's service account files
 *   ONCE=1                                       one pass, then exit (for tests)
 */
import { connect } from 'node:net';
import { readFileSync } from 'node:fs';
import { request as httpsRequest } from 'node:https';
import { request as httpRequest } from 'node:http';

const env = process.env;
const SA = '/var/run/secrets/kubernetes.io/serviceaccount';
const cfg = {
  pod: env.POD_NAME ?? '',
  namespace: env.POD_NAMESPACE ?? 'default',
  selfNames: [env.SELF_HOST, env.POD_IP].filter((x) => x),
  redisPort: Number(env.REDIS_PORT ?? 6379),
  password: env.REDIS_PASSWORD ?? '',
  sentinelHost: env.SENTINEL_HOST ?? '',
  sentinelPort: Number(env.SENTINEL_PORT ?? 26379),
  masterName: env.MASTER_NAME ?? 'mymaster',
  label: env.ROLE_LABEL ?? 'reddish.io/role',
  intervalMs: Number(env.INTERVAL_SECONDS ?? 2) * 1000,
  api: env.KUBE_API_URL ?? `https://${env.KUBERNETES_SERVICE_HOST}:${env.KUBERNETES_SERVICE_PORT ?? 443}`,
  tokenFile: env.KUBE_TOKEN_FILE ?? `${SA}/token`,
  caFile: env.KUBE_CA_FILE ?? `${SA}/ca.crt`,
};

const log = (msg) => process.stdout.write(`${new Date().toISOString()} role-labeler: ${msg}\n`);

/** Sends one command (RESP) and returns its reply: a string, null, an array of those, or an Error for -ERR. */
export function redisCommand(host, port, argv, { password = '', timeoutMs = 2000 } = {}) {
  return new Promise((resolve, reject) => {
    const sock = connect({ host, port });
    const cmds = password ? [['AUTH', password], argv] : [argv];
    const encode = (a) => `*${a.length}\r\n${a.map((x) => `$${Buffer.byteLength(x)}\r\n${x}\r\n`).join('')}`;
    let buf = Buffer.alloc(0);
    const replies = [];
    const timer = setTimeout(() => { sock.destroy(); reject(new Error(`${host}:${port}: timeout`)); }, timeoutMs);
    sock.on('connect', () => sock.write(cmds.map(encode).join('')));
    sock.on('error', (e) => { clearTimeout(timer); reject(e); });
    sock.on('data', (d) => {
      buf = Buffer.concat([buf, d]);
      try {
        for (;;) {
          const r = parseReply(buf, 0);
          if (!r) break;
          replies.push(r.value);
          buf = buf.subarray(r.end);
        }
      } catch (e) {
        clearTimeout(timer);
        sock.destroy();
        reject(e);
        return;
      }
      if (replies.length === cmds.length) {
        clearTimeout(timer);
        sock.end();
        // A failed AUTH shows in the command's own reply (-NOAUTH); a server without a password just refuses AUTH.
        resolve(replies[replies.length - 1]);
      }
    });
  });
}

function parseReply(buf, pos) {
  const nl = buf.indexOf('\r\n', pos);
  if (nl < 0) return null;
  const type = String.fromCharCode(buf[pos]);
  const line = buf.toString('latin1', pos + 1, nl);
  const next = nl + 2;
  if (type === '+' || type === ':') return { value: line, end: next };
  if (type === '-') return { value: new Error(line), end: next };
  if (type === '$') {
    const n = Number(line);
    if (n < 0) return { value: null, end: next };
    if (buf.length < next + n + 2) return null;
    return { value: buf.toString('utf8', next, next + n), end: next + n + 2 };
  }
  if (type === '*') {
    const n = Number(line);
    if (n < 0) return { value: null, end: next };
    const items = [];
    let p = next;
    for (let i = 0; i < n; i++) {
      const r = parseReply(buf, p);
      if (!r) return null;
      items.push(r.value);
      p = r.end;
    }
    return { value: items, end: p };
  }
  throw new Error(`unexpected reply type ${type}`);
}

/** "master" | "slave" from the local server, or null when it cannot be asked. */
async function localRole() {
  try {
    const info = await redisCommand('127.0.0.1', cfg.redisPort, ['INFO', 'replication'], { password: cfg.password });
    if (typeof info !== 'string') return null;
    const m = /^role:(\w+)/m.exec(info);
    return m ? m[1] : null;
  } catch {
    return null;
  }
}

/** The master's host as the Sentinels give it, or null when they cannot be asked (or do not know). */
async function sentinelMaster() {
  if (!cfg.sentinelHost) return null;
  try {
    const r = await redisCommand(cfg.sentinelHost, cfg.sentinelPort, ['SENTINEL', 'get-master-addr-by-name', cfg.masterName]);
    return Array.isArray(r) && typeof r[0] === 'string' ? r[0] : null;
  } catch {
    return null;
  }
}

/** The label this pod should carry now, or null to leave it alone. */
export function decideRole(local, sentinelHost, selfNames) {
  if (local === null) return null;
  if (local !== 'master') return 'replica';
  if (sentinelHost === null) return 'master';
  const me = selfNames.some((n) => n.replace(/\.$/, '').toLowerCase() === sentinelHost.replace(/\.$/, '').toLowerCase());
  return me ? 'master' : 'replica';
}

function kube(method, path, body) {
  const url = new URL(path, cfg.api);
  const headers = { Accept: 'application/json' };
  try {
    headers.Authorization = `Bearer ${readFileSync(cfg.tokenFile, 'utf8').trim()}`;
  } catch { /* no token: e.g. a test API */ }
  let payload;
  if (body !== undefined) {
    payload = JSON.stringify(body);
    headers['Content-Type'] = 'application/merge-patch+json';
    headers['Content-Length'] = String(Buffer.byteLength(payload));
  }
  const https = url.protocol === 'https:';
  const opts = { method, headers };
  if (https) {
    try { opts.ca = readFileSync(cfg.caFile); } catch { /* system CAs */ }
  }
  return new Promise((resolve, reject) => {
    const req = (https ? httpsRequest : httpRequest)(url, opts, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString();
        if ((res.statusCode ?? 500) >= 300) reject(new Error(`${method} ${url.pathname}: HTTP ${res.statusCode} ${text.slice(0, 200)}`));
        else resolve(text ? JSON.parse(text) : null);
      });
    });
    req.setTimeout(5000, () => req.destroy(new Error(`${method} ${url.pathname}: timeout`)));
    req.on('error', reject);
    if (payload) req.write(payload);
    req.end();
  });
}

const podPath = () => `/api/v1/namespaces/${encodeURIComponent(cfg.namespace)}/pods/${encodeURIComponent(cfg.pod)}`;

let current;

async function step() {
  if (current === undefined) {
    const pod = await kube('GET', podPath());
    current = pod?.metadata?.labels?.[cfg.label] ?? null;
  }
  const [local, sentinel] = await Promise.all([localRole(), sentinelMaster()]);
  const want = decideRole(local, sentinel, cfg.selfNames);
  if (want === null || want === current) return;
  await kube('PATCH', podPath(), { metadata: { labels: { [cfg.label]: want } } });
  log(`${cfg.label}=${want} (was ${current ?? 'unset'}; server role ${local}, Sentinels' master ${sentinel ?? 'unknown'})`);
  current = want;
}

async function main() {
  if (!cfg.pod) throw new Error('POD_NAME is not set');
  log(`pod ${cfg.namespace}/${cfg.pod}, label ${cfg.label}, every ${cfg.intervalMs / 1000}s${cfg.sentinelHost ? `, Sentinels at ${cfg.sentinelHost}:${cfg.sentinelPort} (${cfg.masterName})` : ''}`);
  let stopping = false;
  for (const sig of ['SIGTERM', 'SIGINT']) process.on(sig, () => { stopping = true; process.exit(0); });
  for (;;) {
    try {
      await step();
    } catch (e) {
      log(`error: ${e instanceof Error ? e.message : String(e)}`);
      current = undefined;
    }
    if (env.ONCE === '1' || stopping) return;
    await new Promise((r) => setTimeout(r, cfg.intervalMs));
  }
}

const isMain = process.argv[1] && import.meta.url === new URL(`file://${process.argv[1]}`).href;
if (isMain) {
  main().catch((e) => {
    log(`fatal: ${e instanceof Error ? e.message : String(e)}`);
    process.exit(1);
  });
}
