// Draws Strata's icons as PNGs (no image tools needed): three stacked layers, the app mark, in the
// tray colours for idle / running / error / paused, and the 512 px app icon electron-builder uses.
// Run: node build/make-icons.mjs (the PNGs are committed).
import { writeFileSync, mkdirSync } from 'node:fs';
import { deflateSync } from 'node:zlib';

const CRC = new Int32Array(256).map((_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c;
});
const crc32 = (buf) => {
  let c = -1;
  for (const b of buf) c = CRC[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ -1) >>> 0;
};
const chunk = (type, data) => {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([len, body, crc]);
};

function png(size, pixel) {
  const raw = Buffer.alloc(size * (size * 4 + 1));
  for (let y = 0; y < size; y++) {
    raw[y * (size * 4 + 1)] = 0;
    for (let x = 0; x < size; x++) {
      const [r, g, b, a] = pixel(x / size, y / size);
      raw.set([r, g, b, a], y * (size * 4 + 1) + 1 + x * 4);
    }
  }
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(size, 0);
  ihdr.writeUInt32BE(size, 4);
  ihdr.set([8, 6, 0, 0, 0], 8);
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(raw)),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

/** Three rounded layers; `dot` adds a status dot in the corner. */
function mark(color, dot, background) {
  return (u, v) => {
    if (dot) {
      const dx = u - 0.78;
      const dy = v - 0.78;
      if (dx * dx + dy * dy < 0.04) return [...dot, 255];
    }
    for (const top of [0.18, 0.42, 0.66]) {
      const inX = u > 0.12 && u < 0.88 - (top - 0.18) * 0.3;
      if (inX && v > top && v < top + 0.16) return [...color, 255];
    }
    return background ? [...background, 255] : [0, 0, 0, 0];
  };
}

mkdirSync('build/icons', { recursive: true });
const slate = [90, 100, 117];
writeFileSync('build/icons/tray-idle.png', png(32, mark(slate)));
writeFileSync('build/icons/tray-running.png', png(32, mark(slate, [36, 87, 197])));
writeFileSync('build/icons/tray-error.png', png(32, mark(slate, [179, 38, 30])));
writeFileSync('build/icons/tray-paused.png', png(32, mark(slate, [138, 90, 0])));
writeFileSync('build/icon.png', png(512, mark([255, 255, 255], undefined, [36, 87, 197])));
console.log('icons written to build/icons and build/icon.png');
