#!/usr/bin/env node
// Chunker micro benchmark: MB/s of the vault's content-defined chunker over 256 MiB of
// pseudo-random data, on a whole buffer and as a stream of 64 KiB and 1 MiB reads.
// Run after `npm run build`:  node tests/bench/chunker.mjs [MiB]
import { createCipheriv } from 'node:crypto';
import { chunkBoundaries, chunkStream, describeChunking } from '../../dist/electron/engine/vault/chunker.js';

const MiB = 1024 * 1024;
const size = Number(process.argv[2] ?? 256) * MiB;

// AES-CTR keystream: deterministic and fast, so the figure does not include data generation.
const data = createCipheriv('aes-128-ctr', Buffer.alloc(16, 7), Buffer.alloc(16)).update(Buffer.alloc(size));

async function* reads(buf, n) {
  for (let i = 0; i < buf.length; i += n) yield buf.subarray(i, i + n);
}

function report(name, seconds, chunks) {
  const mbs = size / 1e6 / seconds;
  console.log(`${name.padEnd(22)} ${mbs.toFixed(0).padStart(6)} MB/s  ${chunks} chunks, ${seconds.toFixed(3)} s`);
  return mbs;
}

async function best(name, run) {
  let fastest = Infinity;
  let chunks = 0;
  for (let round = 0; round < 3; round++) {
    const t0 = process.hrtime.bigint();
    chunks = await run();
    fastest = Math.min(fastest, Number(process.hrtime.bigint() - t0) / 1e9);
  }
  return report(name, fastest, chunks);
}

async function streamed(readSize) {
  let n = 0;
  for await (const chunk of chunkStream(reads(data, readSize))) n += chunk.length > 0 ? 1 : 0;
  return n;
}

console.log(`chunker ${JSON.stringify(describeChunking())}, ${size / MiB} MiB random, best of 3`);
await best('chunkBoundaries', async () => chunkBoundaries(data).length);
await best('chunkStream 64 KiB', () => streamed(64 * 1024));
await best('chunkStream 1 MiB', () => streamed(MiB));
