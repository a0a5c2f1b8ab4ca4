// Deterministic benchmark datasets. Sizes and paths come from a seeded PRNG (mulberry32); file
// content is an AES-256-CTR keystream under a key derived from the dataset name, so it is
// reproducible, incompressible (like photos and video: no tool gains from compression) and
// unique (no tool gains from dedup). A marker file next to the tree, written last, says a
// dataset is complete; without it the tree is removed and generated again.
import { createCipheriv, createHash } from 'node:crypto';
import {
  closeSync,
  existsSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readFileSync,
  rmSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { join } from 'node:path';

const KiB = 1024;
const MiB = 1024 * KiB;
const FORMAT = 1;

export const DATASETS = {
  small: { name: 'small', kind: 'tree', files: 20_000, minSize: 1 * KiB, maxSize: 64 * KiB, seed: 0x5eed0001 },
  large: { name: 'large', kind: 'big', files: 4, size: 256 * MiB, seed: 0x5eed0002 },
};

function mulberry32(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function keystream(spec) {
  const key = createHash('sha256').update(`strata-bench:${spec.name}:${spec.seed}`).digest();
  return createCipheriv('aes-256-ctr', key, Buffer.alloc(16));
}

/** The file list of a dataset: [{ path, size }] in generation order. */
export function layout(spec) {
  if (spec.kind === 'big') {
    return Array.from({ length: spec.files }, (_, i) => ({ path: `video-${i + 1}.bin`, size: spec.size }));
  }
  const rand = mulberry32(spec.seed);
  const top = ['documents', 'photos', 'projects', 'music', 'archive', 'mail', 'scans', 'notes'];
  const files = [];
  for (let i = 0; i < spec.files; i++) {
    // 1 to 4 directory levels below the root: 8 top folders, then 6 choices per level.
    const depth = 1 + Math.floor(rand() * 4);
    const parts = [top[Math.floor(rand() * top.length)]];
    for (let d = 1; d < depth; d++) parts.push(`${'abcdef'[Math.floor(rand() * 6)]}${d}`);
    const size = spec.minSize + Math.floor(rand() * (spec.maxSize - spec.minSize + 1));
    parts.push(`file-${String(i).padStart(5, '0')}.bin`);
    files.push({ path: parts.join('/'), size });
  }
  return files;
}

export function datasetInfo(spec) {
  const files = layout(spec);
  return { files: files.length, bytes: files.reduce((n, f) => n + f.size, 0) };
}

/**
 * Makes sure `<dataDir>/datasets/<name>` holds the dataset, generating it when it is missing
 * or incomplete. Returns { root, files, bytes, generated, seconds }.
 */
export function ensureDataset(dataDir, spec, log = () => {}) {
  const root = join(dataDir, 'datasets', spec.name);
  const marker = join(dataDir, 'datasets', `${spec.name}.complete.json`);
  const info = datasetInfo(spec);
  const want = { format: FORMAT, name: spec.name, seed: spec.seed, ...info };
  if (existsSync(marker) && existsSync(root)) {
    try {
      const have = JSON.parse(readFileSync(marker, 'utf8'));
      if (JSON.stringify(have) === JSON.stringify(want)) return { root, ...info, generated: false, seconds: 0 };
    } catch {
      // regenerate
    }
  }
  const t0 = Date.now();
  log(`generating dataset "${spec.name}" (${info.files} files, ${(info.bytes / MiB).toFixed(0)} MiB) in ${root} …`);
  rmSync(marker, { force: true });
  rmSync(root, { recursive: true, force: true });
  mkdirSync(root, { recursive: true });
  const stream = keystream(spec);
  const made = new Set();
  const CHUNK = 8 * MiB;
  const zeros = Buffer.alloc(CHUNK);
  for (const f of layout(spec)) {
    const full = join(root, f.path);
    const dir = full.slice(0, full.lastIndexOf('/'));
    if (!made.has(dir)) {
      mkdirSync(dir, { recursive: true });
      made.add(dir);
    }
    const fd = openSync(full, 'w');
    try {
      for (let left = f.size; left > 0; left -= CHUNK) {
        const n = Math.min(left, CHUNK);
        writeSync(fd, stream.update(n === CHUNK ? zeros : zeros.subarray(0, n)));
      }
      if (spec.kind === 'big') fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  }
  writeFileSync(marker, JSON.stringify(want));
  const seconds = (Date.now() - t0) / 1000;
  log(`  done in ${seconds.toFixed(1)} s`);
  return { root, ...info, generated: true, seconds };
}
