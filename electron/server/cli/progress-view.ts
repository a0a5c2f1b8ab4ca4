import cliProgress from 'cli-progress';
import type { ProgressSnapshot } from '../../engine/transfer/progress.js';
import { formatBytes, formatDuration } from './format.js';

export interface ProgressView {
  update(p: ProgressSnapshot): void;
  stop(): void;
}

/** A bar on a terminal (stderr), JSON lines with --json, and nothing when piped without --json. */
export function progressView(mode: 'tty' | 'json' | 'quiet'): ProgressView {
  if (mode === 'json') {
    let last = 0;
    return {
      update(p) {
        const now = Date.now();
        if (now - last < 500 && p.phase !== 'done') return;
        last = now;
        process.stdout.write(JSON.stringify({ type: 'progress', ...p }) + '\n');
      },
      stop() {},
    };
  }
  if (mode === 'quiet') return { update() {}, stop() {} };
  const bar = new cliProgress.SingleBar(
    {
      format: '{phase} |{bar}| {percentage}% | {files} | {bytes} | {rate} | ETA {eta_h}',
      stream: process.stderr,
      hideCursor: true,
      clearOnComplete: false,
      etaBuffer: 1,
      barsize: 24,
    },
    cliProgress.Presets.shades_classic,
  );
  bar.start(1, 0, payloadOf(undefined));
  return {
    update(p) {
      bar.setTotal(Math.max(1, p.bytesToSend));
      bar.update(Math.min(p.bytesSent, Math.max(1, p.bytesToSend)), payloadOf(p));
    },
    stop() {
      bar.stop();
    },
  };
}

function payloadOf(p: ProgressSnapshot | undefined): Record<string, string> {
  if (!p) return { phase: 'scanning', files: '', bytes: '', rate: '', eta_h: '…' };
  const phase =
    p.phase === 'scan' ? 'scanning' : p.phase === 'transfer' ? 'sending' : p.phase === 'commit' ? 'finishing' : 'done';
  return {
    phase: phase.padEnd(9),
    files: `${p.filesSent + p.filesFailed}/${p.filesToSend} files (${p.filesScanned} scanned${p.filesFailed ? `, ${p.filesFailed} failed` : ''})`,
    bytes: `${formatBytes(p.bytesSent)}/${formatBytes(p.bytesToSend)}`,
    rate: `${formatBytes(Math.round(p.bytesPerSecond))}/s`,
    eta_h: p.etaSeconds === undefined ? '…' : formatDuration(p.etaSeconds),
  };
}
