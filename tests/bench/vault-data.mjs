// Datasets for the vault scenarios, with content that behaves like real backups for dedup and
// compression: mostly incompressible bytes (an AES-256-CTR keystream, like photos, video and
// archives) plus pseudo-text drawn word by word from a skewed vocabulary (compresses about like
// prose or logs). Nothing repeats at chunk scale, so any dedup a tool finds is real. Deterministic
// from a seed; generated once into tests/bench/.data/datasets and reused while its marker matches.
import { createCipheriv, createHash } from 'node:crypto';
import {
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readFileSync,
  readSync,
  readdirSync,
  rmSync,
  statSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { join } from 'node:path';

const KiB = 1024;
const MiB = 1024 * KiB;
const GiB = 1024 * MiB;
const FORMAT = 1;
const BLOCK = 8 * MiB;

export const MIXED = { name: 'mixed', kind: 'mixed', bytes: 1 * GiB, seed: 0x5eed0101 };
export const CHANGE = { name: 'change', kind: 'onefile', bytes: 256 * MiB, seed: 0x5eed0102 };
/** The many-small-files tree: `files` files, 1000 per folder, 16 to 200 bytes each. */
export const many = (files) => ({ name: `many-${files}`, kind: 'many', files, perDir: 1000, seed: 0x5eed0103 });

export function mulberry32(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Incompressible, never-repeating bytes: an AES-256-CTR keystream under a key named by `label`. */
export function keystream(label) {
  const cipher = createCipheriv(
    'aes-256-ctr',
    createHash('sha256').update(`strata-bench:${label}`).digest(),
    Buffer.alloc(16),
  );
  const zeros = Buffer.alloc(BLOCK);
  return (n) => {
    const parts = [];
    for (let left = n; left > 0; left -= BLOCK) parts.push(cipher.update(zeros.subarray(0, Math.min(left, BLOCK))));
    return parts.length === 1 ? parts[0] : Buffer.concat(parts);
  };
}

/** Pseudo-text: words from a 4096-word vocabulary picked with a skew (frequent words), numbers, punctuation. */
export function textSource(seed) {
  const rand = mulberry32(seed);
  const syllables = 'ka,to,re,mi,sa,lo,ne,vi,du,pa,ri,ste,tho,wan,gel,mor,bri,qua,ex,in,on,al,er,us'.split(',');
  const words = [];
  for (let i = 0; i < 4096; i++) {
    let w = '';
    const n = 1 + Math.floor(rand() * 4);
    for (let k = 0; k < n; k++) w += syllables[Math.floor(rand() * syllables.length)];
    words.push(Buffer.from(w));
  }
  return (n) => {
    const out = Buffer.allocUnsafe(n + 64);
    let o = 0;
    let line = 0;
    while (o < n) {
      const r = rand();
      if (r < 0.04) {
        o += out.write(String(Math.floor(rand() * 1_000_000)), o, 'latin1');
      } else {
        const w = words[Math.floor(r * r * words.length)];
        o += w.copy(out, o);
      }
      line++;
      const s = rand();
      if (line > 8 && s < 0.08) {
        out[o++] = 0x2e; // '.'
        out[o++] = 0x0a; // '\n'
        line = 0;
      } else if (s < 0.14) {
        out[o++] = 0x2c; // ','
        out[o++] = 0x20;
      } else out[o++] = 0x20;
    }
    return out.subarray(0, n);
  };
}

/** Mixed tree: [{ path, size, text }] adding up to exactly spec.bytes. */
function mixedLayout(spec) {
  const rand = mulberry32(spec.seed);
  const between = (lo, hi) => lo + Math.floor(rand() * (hi - lo + 1));
  const pick = (list) => list[Math.floor(rand() * list.length)];
  // Share of the bytes, file sizes, how likely a file is text, name parts.
  const kinds = [
    { share: 0.35, min: 32 * MiB, max: 160 * MiB, text: 0, dir: 'videos', ext: '.mp4' },
    { share: 0.3, min: 1 * MiB, max: 12 * MiB, text: 0, dir: 'photos', ext: '.jpg' },
    { share: 0.1, min: 64 * KiB, max: 4 * MiB, text: 0, dir: 'archive', ext: '.zip' },
    { share: 0.15, min: 8 * KiB, max: 3 * MiB, text: 1, dir: 'documents', ext: '.txt' },
    { share: 0.1, min: 200, max: 48 * KiB, text: 0.6, dir: 'code', ext: '' },
  ];
  const files = [];
  let total = 0;
  let n = 0;
  for (const [i, k] of kinds.entries()) {
    // The last kind takes what is left, so the tree adds up to exactly spec.bytes.
    const budget = i === kinds.length - 1 ? spec.bytes - total : Math.round(spec.bytes * k.share);
    for (let used = 0; used < budget;) {
      const size = Math.min(between(k.min, k.max), budget - used);
      const text = rand() < k.text;
      const ext = k.ext || (text ? pick(['.ts', '.md', '.json', '.css']) : pick(['.png', '.woff2', '.gz']));
      const path = `${k.dir}/${pick(['2019', '2020', '2021', '2022', '2023'])}/${pick(['a', 'b', 'c', 'd', 'e', 'f'])}${between(1, 9)}/f${String(n++).padStart(6, '0')}${ext}`;
      files.push({ path, size, text });
      used += size;
      total += size;
    }
  }
  if (total !== spec.bytes) throw new Error(`mixed layout adds up to ${total}, not ${spec.bytes}`);
  return files;
}

/** One file of spec.bytes: 4 MiB segments, each text with probability 0.2, else random. */
function writeOneFile(spec, root) {
  const rand = mulberry32(spec.seed);
  const random = keystream(`${spec.name}:${spec.seed}`);
  const text = textSource(spec.seed ^ 0x7e47);
  const fd = openSync(join(root, 'disk.img'), 'w');
  try {
    for (let left = spec.bytes; left > 0; left -= 4 * MiB) {
      const n = Math.min(left, 4 * MiB);
      writeSync(fd, rand() < 0.2 ? text(n) : random(n));
    }
  } finally {
    closeSync(fd);
  }
  return { files: 1, bytes: spec.bytes };
}

function writeMixed(spec, root) {
  const random = keystream(`${spec.name}:${spec.seed}`);
  const text = textSource(spec.seed ^ 0x7e47);
  const made = new Set();
  let bytes = 0;
  const files = mixedLayout(spec);
  for (const f of files) {
    const full = join(root, f.path);
    const dir = full.slice(0, full.lastIndexOf('/'));
    if (!made.has(dir)) {
      mkdirSync(dir, { recursive: true });
      made.add(dir);
    }
    const fd = openSync(full, 'w');
    try {
      for (let left = f.size; left > 0; left -= BLOCK) {
        const n = Math.min(left, BLOCK);
        writeSync(fd, f.text ? text(n) : random(n));
      }
    } finally {
      closeSync(fd);
    }
    bytes += f.size;
  }
  return { files: files.length, bytes };
}

/** spec.files files of 16-200 bytes, 1000 per folder; 30 % text (.txt), the rest random (.bin). */
function writeMany(spec, root) {
  const rand = mulberry32(spec.seed);
  const text = textSource(spec.seed ^ 0x7e47);
  const random = keystream(`${spec.name}:${spec.seed}`);
  let pool = random(BLOCK);
  let at = 0;
  let bytes = 0;
  for (let i = 0; i < spec.files; i++) {
    const dir = join(root, `d${String(Math.floor(i / spec.perDir)).padStart(4, '0')}`);
    if (i % spec.perDir === 0) mkdirSync(dir, { recursive: true });
    const size = 16 + Math.floor(rand() * 185);
    const isText = rand() < 0.3;
    let body;
    if (isText) body = text(size);
    else {
      if (at + size > pool.length) {
        pool = random(BLOCK);
        at = 0;
      }
      body = pool.subarray(at, at + size);
      at += size;
    }
    writeFileSync(join(dir, `f${String(i % spec.perDir).padStart(4, '0')}${isText ? '.txt' : '.bin'}`), body);
    bytes += size;
  }
  return { files: spec.files, bytes };
}

/**
 * Makes sure `<dataDir>/datasets/<spec.name>` holds the dataset, generating it when it is missing or
 * its marker does not match. Returns { root, files, bytes, generated, seconds }.
 */
export function ensureVaultDataset(dataDir, spec, log = () => {}) {
  const root = join(dataDir, 'datasets', spec.name);
  const marker = join(dataDir, 'datasets', `${spec.name}.complete.json`);
  const want = { format: FORMAT, ...spec };
  if (existsSync(marker) && existsSync(root)) {
    try {
      const have = JSON.parse(readFileSync(marker, 'utf8'));
      if (JSON.stringify(have.spec) === JSON.stringify(want))
        return { root, files: have.files, bytes: have.bytes, generated: false, seconds: 0 };
    } catch {
      // generate again
    }
  }
  const t0 = Date.now();
  log(`generating dataset "${spec.name}" in ${root} …`);
  rmSync(marker, { force: true });
  rmSync(root, { recursive: true, force: true });
  mkdirSync(root, { recursive: true });
  const write = { mixed: writeMixed, onefile: writeOneFile, many: writeMany }[spec.kind];
  const info = write(spec, root);
  writeFileSync(marker, JSON.stringify({ spec: want, ...info }));
  const seconds = (Date.now() - t0) / 1000;
  log(`  done in ${seconds.toFixed(1)} s (${info.files} files, ${(info.bytes / MiB).toFixed(0)} MiB)`);
  return { root, ...info, generated: true, seconds };
}

/** Regular files below `root`, sorted by relative path: [{ rel, full, size }]. */
export function listFiles(root) {
  const out = [];
  const walk = (dir, prefix) => {
    for (const e of readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const full = join(dir, e.name);
      const rel = prefix ? `${prefix}/${e.name}` : e.name;
      if (e.isDirectory()) walk(full, rel);
      else if (e.isFile()) out.push({ rel, full, size: statSync(full).size });
    }
  };
  walk(root, '');
  return out;
}

/** Bytes and files below `dir` (apparent sizes): what a repository or bucket folder holds. */
export function dirSize(dir) {
  if (!existsSync(dir)) return { bytes: 0, files: 0 };
  const files = listFiles(dir);
  return { bytes: files.reduce((n, f) => n + f.size, 0), files: files.length };
}

/** { files, bytes, digest }: SHA-256 over every file's relative path, size and SHA-256, in path order. */
export function treeDigest(root) {
  const all = createHash('sha256');
  const buf = Buffer.allocUnsafe(BLOCK);
  let bytes = 0;
  const files = listFiles(root);
  for (const f of files) {
    const h = createHash('sha256');
    const fd = openSync(f.full, 'r');
    try {
      let n;
      while ((n = readSync(fd, buf, 0, BLOCK, null)) > 0) h.update(buf.subarray(0, n));
    } finally {
      closeSync(fd);
    }
    all.update(`${f.rel}\0${f.size}\0${h.digest('hex')}\n`);
    bytes += f.size;
  }
  return { files: files.length, bytes, digest: all.digest('hex') };
}
