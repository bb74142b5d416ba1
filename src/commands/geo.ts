/**
 * The geo commands (geo.c): positions live in sorted sets, the score being
 * the 52-bit interleaved geohash (datatypes/geohash.ts).
 *
 *  - GEOADD is ZADD with computed scores: it is propagated (and replies,
 *    notifies "zadd") as the ZADD it becomes;
 *  - GEOPOS, GEOHASH, GEODIST decode scores;
 *  - GEORADIUS[BYMEMBER][_RO], GEOSEARCH[STORE] share georadiusGeneric: the
 *    nine cells around the centre are scanned as score ranges, points outside
 *    the shape dropped, then sorted (glibc's merge sort, or pqsort when COUNT
 *    keeps fewer than were found) and replied or stored. The STORE forms are
 *    propagated verbatim.
 */
import type { CommandContext, CommandDef } from '../dispatch/command-spec.js';
import { ERR } from '../protocol/errors.js';
import { parseInt64 } from '../util/numbers.js';
import { SortedSet, ZADD_IN_NX, ZADD_IN_XX, ZADD_OUT_ADDED, ZADD_OUT_UPDATED } from '../datatypes/sorted-set.js';
import { limitsOf, parseScore, readZset, writeZset } from './sorted-sets/common.js';
import {
  GEO_LAT_MAX, GEO_LAT_MIN, GEO_LONG_MAX, GEO_LONG_MIN, ShapeType, decodeScore, distanceIfWithin, formatDistance, formatFixed,
  formatHuman, geoScore, geohashGetDistance, geohashString, pqsort, searchRanges, type GeoShape,
} from '../datatypes/geohash.js';

const GERR = {
  decodeMember: 'ERR could not decode requested zset member',
  unit: 'ERR unsupported unit provided. please use M, KM, FT, MI',
  numericRadius: 'ERR need numeric radius',
  negativeRadius: 'ERR radius cannot be negative',
  numericWidth: 'ERR need numeric width',
  numericHeight: 'ERR need numeric height',
  negativeBox: 'ERR height or width cannot be negative',
  count: 'ERR COUNT must be > 0',
  anyNeedsCount: 'ERR the ANY argument requires COUNT argument',
  storeWith: (what: string) => `ERR ${what} is not compatible with WITHDIST, WITHHASH and WITHCOORD options`,
  fromOne: (cmd: string) => `ERR exactly one of FROMMEMBER or FROMLONLAT can be specified for ${cmd}`,
  byOne: (cmd: string) => `ERR exactly one of BYRADIUS and BYBOX can be specified for ${cmd}`,
  lonLat: (x: number, y: number) => `ERR invalid longitude,latitude pair ${formatFixed(x, 6)},${formatFixed(y, 6)}`,
} as const;

/** The argument as a C string (argv->ptr compared with strcasecmp stops at a NUL), lower-cased. */
function cstrLower(s: string): string {
  const nul = s.indexOf('\0');
  return (nul < 0 ? s : s.slice(0, nul)).toLowerCase();
}

/** getDoubleFromObjectOrReply */
function doubleOrReply(ctx: CommandContext, s: string, msg: string = ERR.notFloat): number | null {
  const d = parseScore(s);
  if (d === null) ctx.reply.error(msg);
  return d;
}

/** extractLongLatOrReply: [lon, lat] or null after replying. */
function extractLongLat(ctx: CommandContext, lonArg: string, latArg: string): [number, number] | null {
  const x = doubleOrReply(ctx, lonArg);
  if (x === null) return null;
  const y = doubleOrReply(ctx, latArg);
  if (y === null) return null;
  if (x < GEO_LONG_MIN || x > GEO_LONG_MAX || y < GEO_LAT_MIN || y > GEO_LAT_MAX) {
    ctx.reply.error(GERR.lonLat(x, y));
    return null;
  }
  return [x, y];
}

/** extractUnitOrReply: meters per unit, or -1 after replying. */
function extractUnit(ctx: CommandContext, u: string): number {
  switch (cstrLower(u)) {
    case 'm': return 1;
    case 'km': return 1000;
    case 'ft': return 0.3048;
    case 'mi': return 1609.34;
    default:
      ctx.reply.error(GERR.unit);
      return -1;
  }
}

/** extractDistanceOrReply into the shape. */
function extractDistance(ctx: CommandContext, argv: string[], i: number, shape: GeoShape): boolean {
  const d = doubleOrReply(ctx, argv[i], GERR.numericRadius);
  if (d === null) return false;
  if (d < 0) {
    ctx.reply.error(GERR.negativeRadius);
    return false;
  }
  shape.radius = d;
  const m = extractUnit(ctx, argv[i + 1]);
  if (m < 0) return false;
  shape.conversion = m;
  return true;
}

/** extractBoxOrReply into the shape. */
function extractBox(ctx: CommandContext, argv: string[], i: number, shape: GeoShape): boolean {
  const w = doubleOrReply(ctx, argv[i], GERR.numericWidth);
  if (w === null) return false;
  const h = doubleOrReply(ctx, argv[i + 1], GERR.numericHeight);
  if (h === null) return false;
  if (h < 0 || w < 0) {
    ctx.reply.error(GERR.negativeBox);
    return false;
  }
  shape.height = h;
  shape.width = w;
  const m = extractUnit(ctx, argv[i + 2]);
  if (m < 0) return false;
  shape.conversion = m;
  return true;
}

/** addReplyHumanLongDouble */
function replyHuman(ctx: CommandContext, d: number): void {
  const s = formatHuman(d);
  if (ctx.reply.resp === 2) ctx.reply.bulk(s);
  else ctx.reply.raw(',' + s + '\r\n');
}

// ---- GEOADD ----------------------------------------------------------------------

/** GEOADD key [NX|XX] [CH] lon lat member [...]: the ZADD it rewrites itself into. */
function geoadd(ctx: CommandContext): void {
  const argv = ctx.argv;
  let xx = false;
  let nx = false;
  let longidx = 2;
  while (longidx < argv.length) {
    const o = cstrLower(argv[longidx]);
    if (o === 'nx') nx = true;
    else if (o === 'xx') xx = true;
    else if (o !== 'ch') break;
    longidx++;
  }
  if ((argv.length - longidx) % 3 !== 0 || (xx && nx)) return ctx.reply.error(ERR.syntax);
  const elements = (argv.length - longidx) / 3;
  const zargv = ['zadd', ...argv.slice(1, longidx)];
  const scores: number[] = [];
  const members: string[] = [];
  for (let i = 0; i < elements; i++) {
    const xy = extractLongLat(ctx, argv[longidx + i * 3], argv[longidx + i * 3 + 1]);
    if (xy === null) return;
    const score = geoScore(xy[0], xy[1])!;
    const member = argv[longidx + i * 3 + 2];
    scores.push(score);
    members.push(member);
    zargv.push(String(score), member);
  }
  zaddFromGeo(ctx, zargv, scores, members);
}

/** zaddGenericCommand over GEOADD's rewritten vector (only NX, XX, CH can occur). */
function zaddFromGeo(ctx: CommandContext, zargv: string[], scores: number[], members: string[]): void {
  const key = zargv[1];
  let flags = 0;
  let ch = false;
  for (let i = 2; i < zargv.length - scores.length * 2; i++) {
    const o = cstrLower(zargv[i]);
    if (o === 'nx') flags |= ZADD_IN_NX;
    else if (o === 'xx') flags |= ZADD_IN_XX;
    else if (o === 'ch') ch = true;
  }
  if (scores.length === 0) return ctx.reply.error(ERR.syntax);
  const ks = ctx.ks;
  const db = ctx.db;
  let z = writeZset(ctx, key);
  if (z === null) return;
  let created = false;
  const limits = limitsOf(ctx);
  if (z === undefined) {
    if (flags & ZADD_IN_XX) return ctx.reply.int(0);
    z = SortedSet.create(limits, members[0].length);
    ks.set(db, key, z);
    created = true;
  }
  let added = 0;
  let updated = 0;
  for (let j = 0; j < scores.length; j++) {
    const out = z.add(scores[j], members[j], flags, limits);
    if (out & ZADD_OUT_ADDED) added++;
    if (out & ZADD_OUT_UPDATED) updated++;
  }
  ctx.reply.int(ch ? added + updated : added);
  const changes = added + updated;
  if (changes > 0) {
    const extra = created ? changes - 1 : changes;
    if (extra > 0) ks.modified(db, key, extra);
    ks.notify('zset', 'zadd', key, db);
  }
  ctx.propagateAs(zargv);
}

// ---- GEOHASH, GEOPOS, GEODIST ------------------------------------------------------

function geohash(ctx: CommandContext): void {
  const z = readZset(ctx, ctx.argv[1]);
  if (z === null) return;
  const r = ctx.reply;
  r.array(ctx.argv.length - 2);
  for (let j = 2; j < ctx.argv.length; j++) {
    const score = z === undefined ? undefined : z.score(ctx.argv[j]);
    if (score === undefined) r.nil();
    else r.bulk(geohashString(score));
  }
}

function geopos(ctx: CommandContext): void {
  const z = readZset(ctx, ctx.argv[1]);
  if (z === null) return;
  const r = ctx.reply;
  r.array(ctx.argv.length - 2);
  for (let j = 2; j < ctx.argv.length; j++) {
    const score = z === undefined ? undefined : z.score(ctx.argv[j]);
    if (score === undefined) r.nilArray();
    else {
      const [x, y] = decodeScore(score);
      r.array(2);
      replyHuman(ctx, x);
      replyHuman(ctx, y);
    }
  }
}

function geodist(ctx: CommandContext): void {
  const argv = ctx.argv;
  let toMeter = 1;
  if (argv.length === 5) {
    toMeter = extractUnit(ctx, argv[4]);
    if (toMeter < 0) return;
  } else if (argv.length > 5) {
    return ctx.reply.error(ERR.syntax);
  }
  const z = readZset(ctx, argv[1]);
  if (z === null) return;
  if (z === undefined) return ctx.reply.nil();
  const s1 = z.score(argv[2]);
  const s2 = z.score(argv[3]);
  if (s1 === undefined || s2 === undefined) return ctx.reply.nil();
  const [x1, y1] = decodeScore(s1);
  const [x2, y2] = decodeScore(s2);
  ctx.reply.bulk(formatDistance(geohashGetDistance(x1, y1, x2, y2) / toMeter));
}

// ---- the searches --------------------------------------------------------------------

const RADIUS_COORDS = 1;
const RADIUS_MEMBER = 2;
const RADIUS_NOSTORE = 4;
const GEOSEARCH = 8;
const GEOSEARCHSTORE = 16;

const SORT_NONE = 0;
const SORT_ASC = 1;
const SORT_DESC = 2;

interface GeoPoint {
  lon: number;
  lat: number;
  dist: number;
  score: number;
  member: string;
}

function sortAsc(a: GeoPoint, b: GeoPoint): number {
  if (a.dist > b.dist) return 1;
  if (a.dist === b.dist) return 0;
  return -1;
}

function sortDesc(a: GeoPoint, b: GeoPoint): number {
  return -sortAsc(a, b);
}

/** glibc's qsort: msort_with_tmp, a top-down merge sort taking from the left run while cmp <= 0. */
function msort<T>(a: T[], cmp: (x: T, y: T) => number): void {
  const tmp = new Array<T>(a.length);
  const rec = (lo: number, n: number): void => {
    if (n <= 1) return;
    const n1 = n >>> 1;
    const n2 = n - n1;
    rec(lo, n1);
    rec(lo + n1, n2);
    let i = lo;
    let j = lo + n1;
    const iEnd = lo + n1;
    const jEnd = lo + n;
    let k = 0;
    while (i < iEnd && j < jEnd) {
      if (cmp(a[i], a[j]) <= 0) tmp[k++] = a[i++];
      else tmp[k++] = a[j++];
    }
    while (i < iEnd) tmp[k++] = a[i++];
    for (let t = 0; t < k; t++) a[lo + t] = tmp[t];
  };
  rec(0, a.length);
}

/**
 * membersOfAllNeighbors: the points of the set inside the shape, cell by
 * cell, each cell's score range in (score, member) order; with a limit
 * (COUNT ... ANY) the scan stops once that many were found.
 */
function collectPoints(z: SortedSet, shape: GeoShape, limit: number): GeoPoint[] {
  const ga: GeoPoint[] = [];
  for (const [min, max] of searchRanges(shape)) {
    if (ga.length && limit && ga.length >= limit) break;
    const range = { min, max, minex: false, maxex: true };
    for (let n = z.firstInRange(range); n !== null; n = n.next[0]) {
      if (!(n.score < max)) break;
      const [lon, lat] = decodeScore(n.score);
      const dist = distanceIfWithin(shape, lon, lat);
      if (dist !== -1) ga.push({ lon, lat, dist, score: n.score, member: n.member });
      if (ga.length && limit && ga.length >= limit) break;
    }
  }
  return ga;
}

/** georadiusGeneric */
function georadiusGeneric(ctx: CommandContext, srcKeyIndex: number, flags: number): void {
  const argv = ctx.argv;
  const argc = argv.length;
  let storekey: string | null = null;
  let storedist = false;
  const zobj = readZset(ctx, argv[srcKeyIndex]);
  if (zobj === null) return;

  let baseArgs: number;
  const shape: GeoShape = { type: ShapeType.Circular, lon: 0, lat: 0, conversion: 0, radius: 0, width: 0, height: 0 };
  if (flags & RADIUS_COORDS) {
    baseArgs = 6;
    const xy = extractLongLat(ctx, argv[2], argv[3]);
    if (xy === null) return;
    [shape.lon, shape.lat] = xy;
    if (!extractDistance(ctx, argv, baseArgs - 2, shape)) return;
  } else if (flags & RADIUS_MEMBER && zobj === undefined) {
    baseArgs = 5;
  } else if (flags & RADIUS_MEMBER) {
    baseArgs = 5;
    const score = zobj!.score(argv[2]);
    if (score === undefined) return ctx.reply.error(GERR.decodeMember);
    [shape.lon, shape.lat] = decodeScore(score);
    if (!extractDistance(ctx, argv, baseArgs - 2, shape)) return;
  } else {
    baseArgs = 2;
    if (flags & GEOSEARCHSTORE) {
      baseArgs = 3;
      storekey = argv[1];
    }
  }

  let withdist = false;
  let withhash = false;
  let withcoords = false;
  let frommember = false;
  let fromloc = false;
  let byradius = false;
  let bybox = false;
  let sort = SORT_NONE;
  let any = false;
  let count = 0;
  const remaining = argc - baseArgs;
  for (let i = 0; i < remaining; i++) {
    const arg = cstrLower(argv[baseArgs + i]);
    if (arg === 'withdist') withdist = true;
    else if (arg === 'withhash') withhash = true;
    else if (arg === 'withcoord') withcoords = true;
    else if (arg === 'any') any = true;
    else if (arg === 'asc') sort = SORT_ASC;
    else if (arg === 'desc') sort = SORT_DESC;
    else if (arg === 'count' && i + 1 < remaining) {
      const n = parseInt64(argv[baseArgs + i + 1]);
      if (n === null) return ctx.reply.error(ERR.notInteger);
      if (n <= 0) return ctx.reply.error(GERR.count);
      count = Number(n);
      i++;
    } else if ((arg === 'store' || arg === 'storedist') && i + 1 < remaining && !(flags & RADIUS_NOSTORE) && !(flags & GEOSEARCH)) {
      storekey = argv[baseArgs + i + 1];
      storedist = arg === 'storedist';
      i++;
    } else if (arg === 'storedist' && flags & GEOSEARCH && flags & GEOSEARCHSTORE) {
      storedist = true;
    } else if (arg === 'frommember' && i + 1 < remaining && flags & GEOSEARCH && !fromloc) {
      if (zobj === undefined) {
        frommember = true;
        i++;
        continue;
      }
      const score = zobj.score(argv[baseArgs + i + 1]);
      if (score === undefined) return ctx.reply.error(GERR.decodeMember);
      [shape.lon, shape.lat] = decodeScore(score);
      frommember = true;
      i++;
    } else if (arg === 'fromlonlat' && i + 2 < remaining && flags & GEOSEARCH && !frommember) {
      const xy = extractLongLat(ctx, argv[baseArgs + i + 1], argv[baseArgs + i + 2]);
      if (xy === null) return;
      [shape.lon, shape.lat] = xy;
      fromloc = true;
      i += 2;
    } else if (arg === 'byradius' && i + 2 < remaining && flags & GEOSEARCH && !bybox) {
      if (!extractDistance(ctx, argv, baseArgs + i + 1, shape)) return;
      shape.type = ShapeType.Circular;
      byradius = true;
      i += 2;
    } else if (arg === 'bybox' && i + 3 < remaining && flags & GEOSEARCH && !byradius) {
      if (!extractBox(ctx, argv, baseArgs + i + 1, shape)) return;
      shape.type = ShapeType.Rectangle;
      bybox = true;
      i += 3;
    } else {
      return ctx.reply.error(ERR.syntax);
    }
  }

  if (storekey !== null && (withdist || withhash || withcoords)) {
    return ctx.reply.error(GERR.storeWith(flags & GEOSEARCHSTORE ? 'GEOSEARCHSTORE' : 'STORE option in GEORADIUS'));
  }
  if (flags & GEOSEARCH && !(frommember || fromloc)) return ctx.reply.error(GERR.fromOne(argv[0]));
  if (flags & GEOSEARCH && !(byradius || bybox)) return ctx.reply.error(GERR.byOne(argv[0]));
  if (any && !count) return ctx.reply.error(GERR.anyNeedsCount);

  const ks = ctx.ks;
  const db = ctx.db;
  if (zobj === undefined) {
    if (storekey !== null) {
      if (ks.delete(db, storekey)) ks.notify('generic', 'del', storekey, db);
      ctx.reply.int(0);
    } else {
      ctx.reply.array(0);
    }
    return;
  }

  if (count !== 0 && sort === SORT_NONE && !any) sort = SORT_ASC;

  const ga = collectPoints(zobj, shape, any ? count : 0);
  if (ga.length === 0 && storekey === null) return ctx.reply.array(0);

  const resultLength = ga.length;
  const returned = count === 0 || resultLength < count ? resultLength : count;
  if (sort !== SORT_NONE) {
    const cmp = sort === SORT_ASC ? sortAsc : sortDesc;
    if (returned === resultLength) msort(ga, cmp);
    else pqsort(ga, cmp, 0, returned - 1);
  }

  if (storekey === null) {
    const optionLength = (withdist ? 1 : 0) + (withcoords ? 1 : 0) + (withhash ? 1 : 0);
    const r = ctx.reply;
    r.array(returned);
    for (let i = 0; i < returned; i++) {
      const gp = ga[i];
      const dist = gp.dist / shape.conversion;
      if (optionLength) r.array(optionLength + 1);
      r.bulk(gp.member);
      if (withdist) r.bulk(formatDistance(dist));
      if (withhash) r.int(Math.trunc(gp.score));
      if (withcoords) {
        r.array(2);
        replyHuman(ctx, gp.lon);
        replyHuman(ctx, gp.lat);
      }
    }
    return;
  }

  if (returned > 0) {
    const z = new SortedSet(false);
    let maxLen = 0;
    for (let i = 0; i < returned; i++) {
      const gp = ga[i];
      const score = storedist ? gp.dist / shape.conversion : gp.score;
      if (gp.member.length > maxLen) maxLen = gp.member.length;
      if (z.dict.has(gp.member)) continue; // Redis would assert here; a cell is never scanned twice
      z.insertUnchecked(score, gp.member);
    }
    z.convertToListpackIfNeeded(limitsOf(ctx), maxLen);
    ks.set(db, storekey, z);
    ks.notify('zset', flags & GEOSEARCH ? 'geosearchstore' : 'georadiusstore', storekey, db);
    ks.dirty += returned - 1; // server.dirty += returned_items (set counted one)
  } else if (ks.delete(db, storekey)) {
    ks.notify('generic', 'del', storekey, db);
  }
  ctx.reply.int(returned);
}

export const GEO_COMMANDS: CommandDef[] = [
  { name: 'geoadd', handler: geoadd },
  { name: 'geohash', handler: geohash },
  { name: 'geopos', handler: geopos },
  { name: 'geodist', handler: geodist },
  { name: 'georadius', handler: (ctx) => georadiusGeneric(ctx, 1, RADIUS_COORDS) },
  { name: 'georadiusbymember', handler: (ctx) => georadiusGeneric(ctx, 1, RADIUS_MEMBER) },
  { name: 'georadius_ro', handler: (ctx) => georadiusGeneric(ctx, 1, RADIUS_COORDS | RADIUS_NOSTORE) },
  { name: 'georadiusbymember_ro', handler: (ctx) => georadiusGeneric(ctx, 1, RADIUS_MEMBER | RADIUS_NOSTORE) },
  { name: 'geosearch', handler: (ctx) => georadiusGeneric(ctx, 1, GEOSEARCH) },
  { name: 'geosearchstore', handler: (ctx) => georadiusGeneric(ctx, 2, GEOSEARCH | GEOSEARCHSTORE) },
];
