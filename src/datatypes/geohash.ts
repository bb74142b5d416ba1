/**
 * The geohash machinery of Redis's geo commands (geohash.c, geohash_helper.c,
 * pqsort.c, and the number formatting geo.c replies with), reproduced step
 * for step so that scores, decoded positions, the 3x3 search boxes, distances
 * and the order of results are what Redis computes:
 *
 *  - a position is stored as a sorted-set score: the 26-bit latitude and
 *    longitude offsets (over -85.05112878..85.05112878 and -180..180)
 *    interleaved into 52 bits, latitude on the even bits;
 *  - a score decodes to the centre of its cell, clamped to the valid range;
 *    any double decodes (through C's double → uint64 conversion on x86-64);
 *  - a search covers the cell of the centre and its 8 neighbours at a step
 *    chosen from the radius, dropping neighbours the shape cannot reach;
 *  - distances use the haversine formula on a sphere of radius 6372797.560856 m.
 *
 * Cell arithmetic (neighbours) is done on 64-bit BigInts exactly as the C
 * does on uint64_t; encoding and decoding, which run per point, use two
 * 32-bit halves.
 *
 * No server imports.
 */

export const GEO_STEP_MAX = 26;
export const GEO_LAT_MIN = -85.05112878;
export const GEO_LAT_MAX = 85.05112878;
export const GEO_LONG_MIN = -180;
export const GEO_LONG_MAX = 180;

const D_R = Math.PI / 180.0;
export const EARTH_RADIUS_IN_METERS = 6372797.560856;
const MERCATOR_MAX = 20037726.37;

const TWO32 = 4294967296;
const M64 = (1n << 64n) - 1n;
const EVEN64 = 0x5555555555555555n;
const ODD64 = 0xaaaaaaaaaaaaaaaan;

/** A cell: `step` bits of each coordinate, interleaved (GeoHashBits). */
export interface GeoHashBits {
  bits: bigint;
  step: number;
}

export interface GeoHashArea {
  lonMin: number;
  lonMax: number;
  latMin: number;
  latMax: number;
}

export const ShapeType = { Circular: 1, Rectangle: 2 } as const;
export type ShapeType = (typeof ShapeType)[keyof typeof ShapeType];

/** GeoShape: the centre, the shape in its unit, and the unit's size in meters. */
export interface GeoShape {
  type: ShapeType;
  lon: number;
  lat: number;
  conversion: number;
  radius: number;
  width: number;
  height: number;
}

// ---- interleaving ----------------------------------------------------------------

/** Spreads the low 16 bits of v onto the even bits of a 32-bit word. */
function spread16(v: number): number {
  let x = v & 0xffff;
  x = (x | (x << 8)) & 0x00ff00ff;
  x = (x | (x << 4)) & 0x0f0f0f0f;
  x = (x | (x << 2)) & 0x33333333;
  x = (x | (x << 1)) & 0x55555555;
  return x >>> 0;
}

/** Gathers the even bits of a 32-bit word into 16 bits. */
function compact16(v: number): number {
  let x = v & 0x55555555;
  x = (x | (x >>> 1)) & 0x33333333;
  x = (x | (x >>> 2)) & 0x0f0f0f0f;
  x = (x | (x >>> 4)) & 0x00ff00ff;
  x = (x | (x >>> 8)) & 0x0000ffff;
  return x >>> 0;
}

/** interleave64(xlo, ylo) for 32-bit inputs whose result fits 53 bits: x on the even bits. */
function interleaveNum(xlo: number, ylo: number): number {
  const lo = (spread16(xlo) | (spread16(ylo) << 1)) >>> 0;
  const hi = (spread16(xlo >>> 16) | (spread16(ylo >>> 16) << 1)) >>> 0;
  return hi * TWO32 + lo;
}

/** C's (uint32_t) of a double in range. */
function toU32(d: number): number {
  return Math.trunc(d) >>> 0;
}

/** C's (uint64_t) of a double on x86-64 (gcc's cvttsd2si sequence), as hi/lo 32-bit words. */
export function doubleToU64(d: number): bigint {
  const TWO63 = 9223372036854775808;
  if (d < TWO63) {
    if (d >= -TWO63) return BigInt(Math.trunc(d)) & M64;
    return 1n << 63n; // integer indefinite
  }
  const y = d - TWO63;
  const r = y < TWO63 ? BigInt(Math.trunc(y)) & M64 : 1n << 63n;
  return r ^ (1n << 63n);
}

// ---- encode / decode ------------------------------------------------------------

/**
 * geohashEncode over the given ranges: null when the position is outside the
 * WGS84 limits or the ranges (the C returns 0).
 */
export function geohashEncode(
  lonMin: number, lonMax: number, latMin: number, latMax: number, longitude: number, latitude: number, step: number,
): GeoHashBits | null {
  if (step > 32 || step === 0) return null;
  if (longitude > GEO_LONG_MAX || longitude < GEO_LONG_MIN || latitude > GEO_LAT_MAX || latitude < GEO_LAT_MIN) return null;
  if (latitude < latMin || latitude > latMax || longitude < lonMin || longitude > lonMax) return null;
  let latOffset = (latitude - latMin) / (latMax - latMin);
  let longOffset = (longitude - lonMin) / (lonMax - lonMin);
  const scale = Math.pow(2, step);
  latOffset *= scale;
  longOffset *= scale;
  return { bits: BigInt(interleaveNum(toU32(latOffset), toU32(longOffset))), step };
}

export function geohashEncodeWGS84(longitude: number, latitude: number, step: number): GeoHashBits | null {
  return geohashEncode(GEO_LONG_MIN, GEO_LONG_MAX, GEO_LAT_MIN, GEO_LAT_MAX, longitude, latitude, step);
}

/** The score GEOADD stores for a (valid) position: geohashAlign52Bits of the step-26 hash. */
export function geoScore(longitude: number, latitude: number): number | null {
  const h = geohashEncodeWGS84(longitude, latitude, GEO_STEP_MAX);
  if (h === null) return null;
  return geohashAlign52Bits(h);
}

/** geohashAlign52Bits, as a double (the value is below 2^54, so exact). */
export function geohashAlign52Bits(h: GeoHashBits): number {
  return Number((h.bits << BigInt(52 - h.step * 2)) & M64);
}

function isZero(h: GeoHashBits): boolean {
  return h.bits === 0n && h.step === 0;
}

/** geohashDecode from the two 32-bit coordinate offsets. */
function decodeArea(lonMin: number, lonMax: number, latMin: number, latMax: number, ilato: number, ilono: number, step: number): GeoHashArea {
  const latScale = latMax - latMin;
  const longScale = lonMax - lonMin;
  const div = Math.pow(2, step);
  return {
    latMin: latMin + (ilato / div) * latScale,
    latMax: latMin + (((ilato + 1) >>> 0) / div) * latScale,
    lonMin: lonMin + (ilono / div) * longScale,
    lonMax: lonMin + (((ilono + 1) >>> 0) / div) * longScale,
  };
}

/** deinterleave64 of a 64-bit value given as its hi/lo words: [lat part, long part]. */
function deinterleave(hi: number, lo: number): [number, number] {
  const ilato = (compact16(lo) | (compact16(hi) << 16)) >>> 0;
  const ilono = (compact16(lo >>> 1) | (compact16(hi >>> 1) << 16)) >>> 0;
  return [ilato, ilono];
}

function splitU64(b: bigint): [number, number] {
  return [Number(b >> 32n), Number(b & 0xffffffffn)];
}

/** geohashDecode (WGS84 ranges); null for the all-zero hash. */
export function geohashDecodeWGS84(h: GeoHashBits): GeoHashArea | null {
  if (isZero(h)) return null;
  const [hi, lo] = splitU64(h.bits & M64);
  const [ilato, ilono] = deinterleave(hi, lo);
  return decodeArea(GEO_LONG_MIN, GEO_LONG_MAX, GEO_LAT_MIN, GEO_LAT_MAX, ilato, ilono, h.step);
}

/** geohashDecodeAreaToLongLat */
function areaCenter(a: GeoHashArea): [number, number] {
  let x = (a.lonMin + a.lonMax) / 2;
  if (x > GEO_LONG_MAX) x = GEO_LONG_MAX;
  if (x < GEO_LONG_MIN) x = GEO_LONG_MIN;
  let y = (a.latMin + a.latMax) / 2;
  if (y > GEO_LAT_MAX) y = GEO_LAT_MAX;
  if (y < GEO_LAT_MIN) y = GEO_LAT_MIN;
  return [x, y];
}

/**
 * decodeGeohash (geo.c): the [longitude, latitude] a score stands for. Every
 * double decodes (the step is 26, so the hash is never "zero").
 */
export function decodeScore(score: number): [number, number] {
  let hi: number;
  let lo: number;
  if (score >= 0 && score < 9007199254740992) {
    const t = Math.trunc(score);
    hi = Math.floor(t / TWO32);
    lo = t - hi * TWO32;
  } else {
    [hi, lo] = splitU64(doubleToU64(score));
  }
  const [ilato, ilono] = deinterleave(hi, lo);
  return areaCenter(decodeArea(GEO_LONG_MIN, GEO_LONG_MAX, GEO_LAT_MIN, GEO_LAT_MAX, ilato, ilono, GEO_STEP_MAX));
}

const GEOALPHABET = '0123456789bcdefghjkmnpqrstuvwxyz';

/**
 * GEOHASH's string for a score: decode, re-encode over the standard latitude
 * range -90..90, 10 characters of 5 bits and a final '0'.
 */
export function geohashString(score: number): string {
  const [x, y] = decodeScore(score);
  const h = geohashEncode(-180, 180, -90, 90, x, y, 26);
  const bits = h === null ? 0n : h.bits;
  let s = '';
  for (let i = 0; i < 11; i++) {
    const idx = i === 10 ? 0 : Number((bits >> BigInt(52 - (i + 1) * 5)) & 0x1fn);
    s += GEOALPHABET[idx];
  }
  return s;
}

// ---- neighbours ------------------------------------------------------------------

function moveX(h: GeoHashBits, d: number): GeoHashBits {
  if (d === 0) return h;
  let x = h.bits & ODD64;
  const y = h.bits & EVEN64;
  const sh = BigInt(64 - h.step * 2);
  const zz = EVEN64 >> sh;
  if (d > 0) x = (x + (zz + 1n)) & M64;
  else {
    x = x | zz;
    x = (x - (zz + 1n)) & M64;
  }
  x &= ODD64 >> sh;
  return { bits: x | y, step: h.step };
}

function moveY(h: GeoHashBits, d: number): GeoHashBits {
  if (d === 0) return h;
  const x = h.bits & ODD64;
  let y = h.bits & EVEN64;
  const sh = BigInt(64 - h.step * 2);
  const zz = ODD64 >> sh;
  if (d > 0) y = (y + (zz + 1n)) & M64;
  else {
    y = y | zz;
    y = (y - (zz + 1n)) & M64;
  }
  y &= EVEN64 >> sh;
  return { bits: x | y, step: h.step };
}

export interface GeoHashNeighbors {
  north: GeoHashBits;
  south: GeoHashBits;
  east: GeoHashBits;
  west: GeoHashBits;
  northEast: GeoHashBits;
  northWest: GeoHashBits;
  southEast: GeoHashBits;
  southWest: GeoHashBits;
}

/** geohashNeighbors */
export function geohashNeighbors(h: GeoHashBits): GeoHashNeighbors {
  return {
    east: moveY(moveX(h, 1), 0),
    west: moveY(moveX(h, -1), 0),
    south: moveY(moveX(h, 0), -1),
    north: moveY(moveX(h, 0), 1),
    northWest: moveY(moveX(h, -1), 1),
    northEast: moveY(moveX(h, 1), 1),
    southEast: moveY(moveX(h, 1), -1),
    southWest: moveY(moveX(h, -1), -1),
  };
}

// ---- search areas ----------------------------------------------------------------

const degRad = (ang: number): number => ang * D_R;
const radDeg = (ang: number): number => ang / D_R;

/** geohashEstimateStepsByRadius */
export function estimateStepsByRadius(rangeMeters: number, lat: number): number {
  if (rangeMeters === 0) return 26;
  let step = 1;
  while (rangeMeters < MERCATOR_MAX) {
    rangeMeters *= 2;
    step++;
  }
  step -= 2;
  if (lat > 66 || lat < -66) {
    step--;
    if (lat > 80 || lat < -80) step--;
  }
  if (step < 1) step = 1;
  if (step > 26) step = 26;
  return step;
}

/** geohashBoundingBox: [minLon, minLat, maxLon, maxLat]. */
export function boundingBox(s: GeoShape): [number, number, number, number] {
  const longitude = s.lon;
  const latitude = s.lat;
  const height = s.conversion * (s.type === ShapeType.Circular ? s.radius : s.height / 2);
  const width = s.conversion * (s.type === ShapeType.Circular ? s.radius : s.width / 2);
  const latDelta = radDeg(height / EARTH_RADIUS_IN_METERS);
  const longDeltaTop = radDeg(width / EARTH_RADIUS_IN_METERS / crCos(degRad(latitude + latDelta)));
  const longDeltaBottom = radDeg(width / EARTH_RADIUS_IN_METERS / crCos(degRad(latitude - latDelta)));
  const southern = latitude < 0;
  return [
    southern ? longitude - longDeltaBottom : longitude - longDeltaTop,
    latitude - latDelta,
    southern ? longitude + longDeltaBottom : longitude + longDeltaTop,
    latitude + latDelta,
  ];
}

const ZERO: GeoHashBits = { bits: 0n, step: 0 };

/**
 * geohashCalculateAreasByShapeWGS84: the nine cells to scan, in the order
 * membersOfAllNeighbors visits them (self, N, S, E, W, NE, NW, SE, SW); a
 * cell the shape cannot reach is the zero hash.
 */
export function calculateAreas(s: GeoShape): GeoHashBits[] {
  const [minLon, minLat, maxLon, maxLat] = boundingBox(s);
  const longitude = s.lon;
  const latitude = s.lat;
  let radiusMeters = s.type === ShapeType.Circular ? s.radius : Math.sqrt((s.width / 2) * (s.width / 2) + (s.height / 2) * (s.height / 2));
  radiusMeters *= s.conversion;
  let steps = estimateStepsByRadius(radiusMeters, latitude);

  let hash = geohashEncodeWGS84(longitude, latitude, steps) ?? { bits: 0n, step: steps };
  let nb = geohashNeighbors(hash);
  let area = geohashDecodeWGS84(hash);

  let decreaseStep = false;
  {
    const north = geohashDecodeWGS84(nb.north);
    const south = geohashDecodeWGS84(nb.south);
    const east = geohashDecodeWGS84(nb.east);
    const west = geohashDecodeWGS84(nb.west);
    if (north !== null && north.latMax < maxLat) decreaseStep = true;
    if (south !== null && south.latMin > minLat) decreaseStep = true;
    if (east !== null && east.lonMax < maxLon) decreaseStep = true;
    if (west !== null && west.lonMin > minLon) decreaseStep = true;
  }
  if (steps > 1 && decreaseStep) {
    steps--;
    hash = geohashEncodeWGS84(longitude, latitude, steps) ?? { bits: 0n, step: steps };
    nb = geohashNeighbors(hash);
    area = geohashDecodeWGS84(hash);
  }
  if (steps >= 2 && area !== null) {
    if (area.latMin < minLat) {
      nb.south = ZERO;
      nb.southWest = ZERO;
      nb.southEast = ZERO;
    }
    if (area.latMax > maxLat) {
      nb.north = ZERO;
      nb.northEast = ZERO;
      nb.northWest = ZERO;
    }
    if (area.lonMin < minLon) {
      nb.west = ZERO;
      nb.southWest = ZERO;
      nb.northWest = ZERO;
    }
    if (area.lonMax > maxLon) {
      nb.east = ZERO;
      nb.southEast = ZERO;
      nb.northEast = ZERO;
    }
  }
  return [hash, nb.north, nb.south, nb.east, nb.west, nb.northEast, nb.northWest, nb.southEast, nb.southWest];
}

/**
 * The score ranges [min, max) to scan, one per cell, as membersOfAllNeighbors
 * walks them: zero cells skipped, a cell equal to the last one scanned skipped.
 */
export function searchRanges(s: GeoShape): Array<[number, number]> {
  const cells = calculateAreas(s);
  const out: Array<[number, number]> = [];
  let lastProcessed = 0;
  for (let i = 0; i < cells.length; i++) {
    const c = cells[i];
    if (isZero(c)) continue;
    if (lastProcessed !== 0 && c.bits === cells[lastProcessed].bits && c.step === cells[lastProcessed].step) continue;
    out.push([geohashAlign52Bits(c), geohashAlign52Bits({ bits: (c.bits + 1n) & M64, step: c.step })]);
    lastProcessed = i;
  }
  return out;
}

// ---- correctly rounded sin, cos, asin ------------------------------------------------
//
// glibc's sin, cos and asin return the correctly rounded result in all but
// vanishingly rare cases; V8's (fdlibm) are often one ulp off, which shows in
// STOREDIST scores and at rounding boundaries. These evaluate in double-double
// (about 106 bits) and round once, so they agree with glibc.

const SPLITTER = 134217729; // 2^27 + 1

/** a + b as (hi, lo), exactly. */
function twoSum(a: number, b: number, out: Float64Array): void {
  const s = a + b;
  const bb = s - a;
  out[0] = s;
  out[1] = (a - (s - bb)) + (b - bb);
}

/** a * b as (hi, lo), exactly (Dekker). */
function twoProd(a: number, b: number, out: Float64Array): void {
  const p = a * b;
  let t = SPLITTER * a;
  const ah = t - (t - a);
  const al = a - ah;
  t = SPLITTER * b;
  const bh = t - (t - b);
  const bl = b - bh;
  out[0] = p;
  out[1] = ((ah * bh - p) + ah * bl + al * bh) + al * bl;
}

const T1 = new Float64Array(2);
const T2 = new Float64Array(2);

/** (ah, al) * (bh, bl) → out, double-double. */
function ddMul(ah: number, al: number, bh: number, bl: number, out: Float64Array): void {
  twoProd(ah, bh, T1);
  const lo = T1[1] + (ah * bl + al * bh);
  const hi = T1[0] + lo;
  out[0] = hi;
  out[1] = lo - (hi - T1[0]);
}

/** (ah, al) + (bh, bl) → out, double-double. */
function ddAdd(ah: number, al: number, bh: number, bl: number, out: Float64Array): void {
  twoSum(ah, bh, T2);
  const lo = T2[1] + al + bl;
  const hi = T2[0] + lo;
  out[0] = hi;
  out[1] = lo - (hi - T2[0]);
}

/** (ah, al) / d → out, double-double. */
function ddDivD(ah: number, al: number, d: number, out: Float64Array): void {
  const q1 = ah / d;
  twoProd(q1, d, T1);
  const r = ((ah - T1[0]) - T1[1] + al) / d;
  const hi = q1 + r;
  out[0] = hi;
  out[1] = r - (hi - q1);
}

// pi/2 in three pieces (fdlibm's pio2_1, pio2_2, pio2_3 and the tail).
const PIO2_1 = 1.57079632673412561417e+00;
const PIO2_2 = 6.07710050630396597660e-11;
const PIO2_3 = 2.02226624871116645580e-21;
const PIO2_3T = 8.47842766036889956997e-32;
const REDUCE_MAX = 1e6;

const R = new Float64Array(2);
const A = new Float64Array(2);
const B = new Float64Array(2);

/** x - k·pi/2 in double-double into R; returns k mod 4. */
function reduce(x: number): number {
  const k = Math.round(x / (Math.PI / 2));
  // k·PIO2_1 and k·PIO2_2 are exact (33-bit pieces, |k| < 2^20).
  twoSum(x, -k * PIO2_1, A);
  ddAdd(A[0], A[1], -k * PIO2_2, 0, B);
  twoProd(-k, PIO2_3, A);
  ddAdd(B[0], B[1], A[0], A[1] + -k * PIO2_3T, R);
  return ((k % 4) + 4) % 4;
}

/** Taylor series of sin (odd) or cos (even) at the reduced (rh, rl), |r| <= pi/4, into out. */
function kernel(rh: number, rl: number, odd: boolean, out: Float64Array): void {
  const r2 = new Float64Array(2);
  ddMul(rh, rl, rh, rl, r2);
  const term = new Float64Array(2);
  const sum = new Float64Array(2);
  if (odd) {
    term[0] = rh;
    term[1] = rl;
  } else {
    term[0] = 1;
    term[1] = 0;
  }
  sum[0] = term[0];
  sum[1] = term[1];
  let n = odd ? 1 : 0;
  for (let i = 0; i < 30; i++) {
    ddMul(term[0], term[1], r2[0], r2[1], term);
    ddDivD(term[0], term[1], -((n + 1) * (n + 2)), term);
    n += 2;
    ddAdd(sum[0], sum[1], term[0], term[1], sum);
    if (Math.abs(term[0]) < 1e-36 * Math.abs(sum[0]) || term[0] === 0) break;
  }
  out[0] = sum[0];
  out[1] = sum[1];
}

const K = new Float64Array(2);

/** sin(x) in double-double into out. */
function ddSin(x: number, out: Float64Array): void {
  const q = reduce(x);
  kernel(R[0], R[1], q % 2 === 0, K);
  const neg = q >= 2;
  out[0] = neg ? -K[0] : K[0];
  out[1] = neg ? -K[1] : K[1];
}

/** sin, correctly rounded (but in vanishingly rare cases). */
export function crSin(x: number): number {
  if (!Number.isFinite(x) || Math.abs(x) > REDUCE_MAX) return Math.sin(x);
  if (x === 0) return x;
  if (Math.abs(x) < 1e-8) {
    // sin x = x - x^3/6: below an ulp's worth unless x is large enough.
    const c = x * x * x / 6;
    twoSum(x, -c, A);
    return A[0];
  }
  ddSin(x, A);
  return A[0] + A[1];
}

/** cos, correctly rounded (but in vanishingly rare cases). */
export function crCos(x: number): number {
  if (!Number.isFinite(x) || Math.abs(x) > REDUCE_MAX) return Math.cos(x);
  if (Math.abs(x) < 1e-9) return 1 - x * x / 2;
  const q = reduce(x);
  kernel(R[0], R[1], q % 2 === 1, K);
  const neg = q === 1 || q === 2;
  return neg ? -(K[0] + K[1]) : K[0] + K[1];
}

/** asin, correctly rounded (but in vanishingly rare cases): a Newton step in double-double from Math.asin. */
export function crAsin(x: number): number {
  const y0 = Math.asin(x);
  if (!Number.isFinite(y0) || x === 0 || Math.abs(x) >= 1) return y0;
  if (Math.abs(x) < 1e-8) {
    const c = x * x * x / 6;
    twoSum(x, c, A);
    return A[0];
  }
  const c = crCos(y0);
  ddSin(y0, B);
  // delta = (x - sin y0) / cos y0
  ddAdd(x, 0, -B[0], -B[1], A);
  ddDivD(A[0], A[1], c, A);
  ddAdd(y0, 0, A[0], A[1], B);
  return B[0] + B[1];
}

// ---- distances ---------------------------------------------------------------------

/** geohashGetDistance: haversine, in meters. */
export function geohashGetDistance(lon1d: number, lat1d: number, lon2d: number, lat2d: number): number {
  const lat1r = degRad(lat1d);
  const lon1r = degRad(lon1d);
  const lat2r = degRad(lat2d);
  const lon2r = degRad(lon2d);
  const u = crSin((lat2r - lat1r) / 2);
  const v = crSin((lon2r - lon1r) / 2);
  return 2.0 * EARTH_RADIUS_IN_METERS * crAsin(Math.sqrt(u * u + crCos(lat1r) * crCos(lat2r) * v * v));
}

/**
 * geoAppendIfWithinShape's test: the distance from the shape's centre to the
 * point (lon, lat), or -1 when the point is outside the shape.
 */
export function distanceIfWithin(s: GeoShape, lon: number, lat: number): number {
  if (s.type === ShapeType.Circular) {
    const d = geohashGetDistance(s.lon, s.lat, lon, lat);
    return d > s.radius * s.conversion ? -1 : d;
  }
  const widthM = s.width * s.conversion;
  const heightM = s.height * s.conversion;
  const lonDistance = geohashGetDistance(lon, lat, s.lon, lat);
  const latDistance = geohashGetDistance(lon, lat, lon, s.lat);
  if (lonDistance > widthM / 2 || latDistance > heightM / 2) return -1;
  return geohashGetDistance(s.lon, s.lat, lon, lat);
}

// ---- pqsort ------------------------------------------------------------------------

/**
 * pqsort.c: NetBSD's qsort (Bentley & McIlroy) that only recurses into the
 * partitions overlapping [lrange, rrange]; the elements there end up as a
 * full sort would leave them, in this algorithm's order for equal keys.
 */
export function pqsort<T>(a: T[], cmp: (x: T, y: T) => number, lrange: number, rrange: number): void {
  pqsortRange(a, 0, a.length, cmp, lrange, rrange);
}

function swap<T>(a: T[], i: number, j: number): void {
  const t = a[i];
  a[i] = a[j];
  a[j] = t;
}

function vecswap<T>(a: T[], i: number, j: number, n: number): void {
  for (let k = 0; k < n; k++) swap(a, i + k, j + k);
}

function med3<T>(a: T[], i: number, j: number, k: number, cmp: (x: T, y: T) => number): number {
  return cmp(a[i], a[j]) < 0
    ? (cmp(a[j], a[k]) < 0 ? j : cmp(a[i], a[k]) < 0 ? k : i)
    : (cmp(a[j], a[k]) > 0 ? j : cmp(a[i], a[k]) < 0 ? i : k);
}

function insertionSort<T>(a: T[], base: number, n: number, cmp: (x: T, y: T) => number): void {
  for (let pm = base + 1; pm < base + n; pm++) {
    for (let pl = pm; pl > base && cmp(a[pl - 1], a[pl]) > 0; pl--) swap(a, pl, pl - 1);
  }
}

function pqsortRange<T>(a: T[], base: number, n: number, cmp: (x: T, y: T) => number, lrange: number, rrange: number): void {
  for (;;) {
    let swapCnt = false;
    if (n < 7) {
      insertionSort(a, base, n, cmp);
      return;
    }
    let pm = base + Math.floor(n / 2);
    if (n > 7) {
      let pl = base;
      let pn = base + n - 1;
      if (n > 40) {
        const d = Math.floor(n / 8);
        pl = med3(a, pl, pl + d, pl + 2 * d, cmp);
        pm = med3(a, pm - d, pm, pm + d, cmp);
        pn = med3(a, pn - 2 * d, pn - d, pn, cmp);
      }
      pm = med3(a, pl, pm, pn, cmp);
    }
    swap(a, base, pm);
    let pa = base + 1;
    let pb = pa;
    let pc = base + n - 1;
    let pd = pc;
    for (;;) {
      let r: number;
      while (pb <= pc && (r = cmp(a[pb], a[base])) <= 0) {
        if (r === 0) {
          swapCnt = true;
          swap(a, pa, pb);
          pa++;
        }
        pb++;
      }
      while (pb <= pc && (r = cmp(a[pc], a[base])) >= 0) {
        if (r === 0) {
          swapCnt = true;
          swap(a, pc, pd);
          pd--;
        }
        pc--;
      }
      if (pb > pc) break;
      swap(a, pb, pc);
      swapCnt = true;
      pb++;
      pc--;
    }
    if (!swapCnt) {
      insertionSort(a, base, n, cmp);
      return;
    }
    const pn = base + n;
    let r = Math.min(pa - base, pb - pa);
    vecswap(a, base, pb - r, r);
    r = Math.min(pd - pc, pn - pd - 1);
    vecswap(a, pb, pn - r, r);
    if ((r = pb - pa) > 1) {
      const l = base;
      const rr = base + r - 1;
      if (!((lrange < l && rrange < l) || (lrange > rr && rrange > rr))) pqsortRange(a, base, r, cmp, lrange, rrange);
    }
    if ((r = pd - pc) > 1) {
      base = pn - r;
      n = r;
      const l = base;
      const rr = base + r - 1;
      if (!((lrange < l && rrange < l) || (lrange > rr && rrange > rr))) continue;
    }
    return;
  }
}

// ---- number formatting ---------------------------------------------------------------

const F64 = new Float64Array(1);
const U32 = new Uint32Array(F64.buffer);

/**
 * printf("%.<prec>f", d) with glibc's exact decimal expansion and
 * round-half-even (also "%.17Lf" of a double, whose long double is exact).
 */
export function formatFixed(d: number, prec: number): string {
  if (Number.isNaN(d)) return 'nan';
  F64[0] = d;
  const neg = U32[1] >>> 31 === 1;
  if (!Number.isFinite(d)) return neg ? '-inf' : 'inf';
  const hiBits = U32[1] & 0x7fffffff;
  const exp = hiBits >>> 20;
  let mant = (BigInt(hiBits & 0xfffff) << 32n) | BigInt(U32[0]);
  let e: number;
  if (exp === 0) e = -1074;
  else {
    mant |= 1n << 52n;
    e = exp - 1075;
  }
  const p10 = 10n ** BigInt(prec);
  let q: bigint;
  if (e >= 0) q = (mant << BigInt(e)) * p10;
  else {
    const num = mant * p10;
    const den = 1n << BigInt(-e);
    q = num / den;
    const r2 = (num % den) * 2n;
    if (r2 > den || (r2 === den && (q & 1n) === 1n)) q += 1n;
  }
  let digits = q.toString();
  if (prec > 0) {
    if (digits.length <= prec) digits = '0'.repeat(prec - digits.length + 1) + digits;
    digits = digits.slice(0, digits.length - prec) + '.' + digits.slice(digits.length - prec);
  }
  return (neg ? '-' : '') + digits;
}

/** addReplyDoubleDistance: "%.4f". */
export function formatDistance(d: number): string {
  return formatFixed(d, 4);
}

/** ld2string(LD_STR_HUMAN) of a double: "%.17Lf", trailing zeros and dot dropped, "-0" → "0". */
export function formatHuman(d: number): string {
  if (d === Infinity) return 'inf';
  if (d === -Infinity) return '-inf';
  let s = formatFixed(d, 17);
  if (s.includes('.')) {
    let l = s.length;
    while (s.charCodeAt(l - 1) === 48) l--;
    if (s.charCodeAt(l - 1) === 46) l--;
    s = s.slice(0, l);
  }
  if (s === '-0') s = '0';
  return s;
}
