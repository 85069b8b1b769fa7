// Draws the app icon (resources/icons/<size>x<size>.png) with Node alone: a tiny PNG
// encoder (zlib for the compression) and a shape function sampled 4x4 per pixel for smooth
// edges. electron-builder makes the .icns and .ico from the 512 and 256 pixel files.
// Run: node scripts/generate-icons.mjs
import { mkdirSync, writeFileSync } from 'node:fs';
import { deflateSync } from 'node:zlib';

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(buf) {
  let c = 0xffffffff;
  for (const b of buf) c = CRC_TABLE[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type, data) {
  const out = Buffer.alloc(12 + data.length);
  out.writeUInt32BE(data.length, 0);
  out.write(type, 4, 'ascii');
  data.copy(out, 8);
  out.writeUInt32BE(crc32(out.subarray(4, 8 + data.length)), 8 + data.length);
  return out;
}

/** RGBA pixels (width*height*4 bytes) -> PNG file bytes. */
export function encodePng(width, height, rgba) {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8; // bits per channel
  ihdr[9] = 6; // RGBA
  const raw = Buffer.alloc((width * 4 + 1) * height);
  for (let y = 0; y < height; y++) {
    raw[y * (width * 4 + 1)] = 0; // filter: none
    rgba.copy(raw, y * (width * 4 + 1) + 1, y * width * 4, (y + 1) * width * 4);
  }
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(raw, { level: 9 })),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

const inRoundedRect = (x, y, x0, y0, x1, y1, r) => {
  if (x < x0 || x > x1 || y < y0 || y > y1) return false;
  const cx = Math.min(Math.max(x, x0 + r), x1 - r);
  const cy = Math.min(Math.max(y, y0 + r), y1 - r);
  return (x - cx) ** 2 + (y - cy) ** 2 <= r * r;
};

/** The icon in unit coordinates (0..1): a blue tile, a sluice gate, water flowing under it. */
function colourAt(u, v) {
  if (!inRoundedRect(u, v, 0.03, 0.03, 0.97, 0.97, 0.2)) return null;
  const white = [255, 255, 255];
  // The gate: a post on each side and the raised board between them.
  if (inRoundedRect(u, v, 0.2, 0.18, 0.3, 0.62, 0.03) || inRoundedRect(u, v, 0.7, 0.18, 0.8, 0.62, 0.03)) return white;
  if (inRoundedRect(u, v, 0.3, 0.26, 0.7, 0.44, 0.02)) return [219, 234, 254];
  // Three waves passing under the gate.
  for (const [y0, amp] of [[0.56, 0.025], [0.68, 0.025], [0.8, 0.02]]) {
    const wave = y0 + amp * Math.sin(u * Math.PI * 4);
    if (Math.abs(v - wave) < 0.028 && u > 0.14 && u < 0.86) return white;
  }
  // Background: a vertical gradient from deep to light blue.
  const t = v;
  return [Math.round(29 + (14 - 29) * t), Math.round(78 + (165 - 78) * t), Math.round(216 + (233 - 216) * t)];
}

export function drawIcon(size) {
  const rgba = Buffer.alloc(size * size * 4);
  const S = 4;
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      let r = 0, g = 0, b = 0, a = 0;
      for (let sy = 0; sy < S; sy++) {
        for (let sx = 0; sx < S; sx++) {
          const c = colourAt((x + (sx + 0.5) / S) / size, (y + (sy + 0.5) / S) / size);
          if (!c) continue;
          r += c[0];
          g += c[1];
          b += c[2];
          a++;
        }
      }
      const i = (y * size + x) * 4;
      if (a > 0) {
        rgba[i] = Math.round(r / a);
        rgba[i + 1] = Math.round(g / a);
        rgba[i + 2] = Math.round(b / a);
      }
      rgba[i + 3] = Math.round((a / (S * S)) * 255);
    }
  }
  return encodePng(size, size, rgba);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const dir = new URL('../resources/icons/', import.meta.url);
  mkdirSync(dir, { recursive: true });
  for (const size of [512, 256, 128, 64, 32, 16]) {
    writeFileSync(new URL(`${size}x${size}.png`, dir), drawIcon(size));
  }
  console.log('wrote resources/icons/*.png');
}
