// Draws the extension's icon, images/icon.png (128x128 RGBA), with no image library: a navy
// rounded square, a sand-coloured shield (the contract) and inside it a planet with its moon (Lua).
// Each pixel is the average of 4x4 samples (anti-aliased edges); the PNG is written by hand
// (IHDR, one zlib-compressed IDAT, IEND). Run: node scripts/icon.mjs
import { writeFileSync, mkdirSync } from 'fs';
import { dirname, join } from 'path';
import { fileURLToPath } from 'url';
import { deflateSync } from 'zlib';

const SIZE = 128;
const SAMPLES = 4;
const NAVY = [0x1d, 0x2b, 0x5e, 255];
const SAND = [0xe9, 0xc9, 0x7e, 255];
const DEEP = [0x12, 0x1b, 0x40, 255];
const CLEAR = [0, 0, 0, 0];

const inCircle = (x, y, cx, cy, r) => (x - cx) ** 2 + (y - cy) ** 2 <= r * r;

function inRoundedSquare(x, y, margin, radius) {
  const lo = margin, hi = SIZE - margin;
  if (x < lo || x > hi || y < lo || y > hi) return false;
  const cx = Math.min(Math.max(x, lo + radius), hi - radius);
  const cy = Math.min(Math.max(y, lo + radius), hi - radius);
  return inCircle(x, y, cx, cy, radius);
}

/** The shield: flat top, straight sides, then narrowing to a point at the bottom. */
function inShield(x, y, grow = 0) {
  const top = 24 - grow, shoulder = 64, bottom = 112 + grow, half = 36 + grow;
  if (y < top || y > bottom) return false;
  const t = y <= shoulder ? 0 : (y - shoulder) / (bottom - shoulder);
  const w = half * Math.pow(Math.cos((t * Math.PI) / 2), 0.8);
  return Math.abs(x - 64) <= w;
}

/** The colour at a point: later layers paint over earlier ones. */
function colour(x, y) {
  let c = CLEAR;
  if (inRoundedSquare(x, y, 2, 26)) c = NAVY;
  if (inShield(x, y, 3)) c = DEEP;
  if (inShield(x, y)) c = SAND;
  if (inCircle(x, y, 60, 66, 21)) c = NAVY;
  if (inCircle(x, y, 67, 58, 7)) c = SAND;
  if (inCircle(x, y, 85, 40, 6)) c = NAVY;
  return c;
}

const raw = Buffer.alloc((SIZE * 4 + 1) * SIZE);
for (let y = 0; y < SIZE; y++) {
  raw[y * (SIZE * 4 + 1)] = 0; // filter: none
  for (let x = 0; x < SIZE; x++) {
    const sum = [0, 0, 0, 0];
    for (let sy = 0; sy < SAMPLES; sy++) {
      for (let sx = 0; sx < SAMPLES; sx++) {
        const c = colour(x + (sx + 0.5) / SAMPLES, y + (sy + 0.5) / SAMPLES);
        // Premultiplied, so transparent samples do not darken the edges.
        for (let i = 0; i < 3; i++) sum[i] += (c[i] * c[3]) / 255;
        sum[3] += c[3];
      }
    }
    const n = SAMPLES * SAMPLES;
    const alpha = sum[3] / n;
    const at = y * (SIZE * 4 + 1) + 1 + x * 4;
    for (let i = 0; i < 3; i++) raw[at + i] = alpha > 0 ? Math.round(((sum[i] / n) * 255) / alpha) : 0;
    raw[at + 3] = Math.round(alpha);
  }
}

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
function crc32(bytes) {
  let c = 0xffffffff;
  for (const b of bytes) c = CRC_TABLE[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}
function chunk(type, data) {
  const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const out = Buffer.alloc(body.length + 8);
  out.writeUInt32BE(data.length, 0);
  body.copy(out, 4);
  out.writeUInt32BE(crc32(body), body.length + 4);
  return out;
}
const header = Buffer.alloc(13);
header.writeUInt32BE(SIZE, 0);
header.writeUInt32BE(SIZE, 4);
header[8] = 8; // bits per channel
header[9] = 6; // RGBA
const png = Buffer.concat([
  Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
  chunk('IHDR', header),
  chunk('IDAT', deflateSync(raw, { level: 9 })),
  chunk('IEND', Buffer.alloc(0)),
]);
const file = join(dirname(fileURLToPath(import.meta.url)), '..', 'images', 'icon.png');
mkdirSync(dirname(file), { recursive: true });
writeFileSync(file, png);
console.log(`icon: ${file} (${png.length} bytes)`);
