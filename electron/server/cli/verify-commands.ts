/**
 * `strata verify DEST`: quick (everything referenced is stored, right size and SHA-256 in the
 * metadata) or `--deep` (downloaded and re-hashed, optionally a rotating `--sample`); exit 0
 * when intact, 1 when anything is missing or damaged. `--repair-from OTHER` then copies what is
 * missing from a destination that holds the same content.
 */
import type { Command } from 'commander';
import { formatBytes } from '../../../shared/format-bytes.js';
import { StrataError } from '../../../shared/errors.js';
import type { Engine } from '../../engine/engine.js';
import type { VerifyRecord } from '../../engine/store/verify-store.js';
import { publicProblem, type StoredProblem } from '../../engine/verify/verify-job.js';
import { reconcileAlerts } from '../../engine/health/notify.js';
import { EXIT_FAILED, EXIT_OK } from './exit-codes.js';
import { table } from './format.js';

interface VerifyFlags {
  deep?: boolean;
  sample?: string;
  json?: boolean;
  repairFrom?: string;
}

function parsePercent(text: string): number {
  const n = Number(text.replace(/%$/, ''));
  if (!Number.isFinite(n) || n < 1 || n > 100) {
    throw new StrataError('usage', `invalid --sample '${text}'`, 'give a percentage from 1 to 100, e.g. --sample 10%');
  }
  return n;
}

function describe(r: VerifyRecord, name: string): string {
  const what =
    r.mode === 'deep'
      ? `deep (${r.samplePercent < 100 ? `${r.samplePercent}% sample, ` : ''}${r.objectsRead} objects read, ${formatBytes(r.bytesRead)})`
      : 'quick';
  const head = `Verified ${name}, ${what}: ${r.snapshots} snapshots, ${r.objects} stored versions`;
  if (r.status === 'error') return `${head}\nFAILED: ${r.error}`;
  if (!r.problems.length) return `${head}\nOK: everything the snapshots reference is stored intact.`;
  const rows = (r.problems as StoredProblem[]).map((p) => [
    p.kind.toUpperCase(),
    p.path,
    p.detail,
    p.repairableFrom.length ? p.repairableFrom.join(', ') : '-',
  ]);
  return [
    head,
    `PROBLEMS: ${r.problems.length} stored version(s) missing or damaged, in ${r.badSnapshotIds.length} snapshot(s)`,
    table([['PROBLEM', 'PATH', 'DETAIL', 'ALSO ON'], ...rows]),
  ].join('\n');
}

export function addVerifyCommands(program: Command, open: () => Engine, setExit: (code: number) => void): void {
  program
    .command('verify')
    .description('prove a destination holds every file its snapshots reference, intact')
    .argument('<dest>')
    .option('--deep', 'download and re-hash the stored content instead of checking sizes and checksums')
    .option('--sample <pct>', 'with --deep: read this share this time (the next run continues with the next share)')
    .option('--repair-from <dest>', 'copy what is missing or damaged from this destination (checked by SHA-256)')
    .option('--json', 'print JSON')
    .action(async (name: string, o: VerifyFlags) => {
      if (o.sample && !o.deep) throw new StrataError('usage', '--sample needs --deep', 'add --deep');
      const e = open();
      const record = await e.verify(name, { deep: o.deep, samplePercent: o.sample ? parsePercent(o.sample) : 100 });
      let repair;
      if (o.repairFrom && record.problems.length) repair = await e.repairDestination(name, o.repairFrom, record.id);
      if (o.json) {
        const { problems, ...rest } = record;
        const body = { ...rest, destination: name, problems: (problems as StoredProblem[]).map(publicProblem), repair };
        process.stdout.write(JSON.stringify({ type: 'result', ...body }) + '\n');
      } else {
        console.log(describe(record, name));
        if (repair) {
          console.log(`Repaired ${repair.repaired} version(s) from ${o.repairFrom}.`);
          for (const f of repair.failed) console.log(`  not repaired: ${f.path}: ${f.error}`);
        } else if (record.problems.some((p) => p.repairableFrom.length)) {
          const from = record.problems.find((p) => p.repairableFrom.length)!.repairableFrom[0]!;
          console.log(`Fix: strata verify ${name} --repair-from ${from}`);
        }
      }
      // As after a backup: the alert opens (or closes) and the webhook hears of it without a daemon.
      const { change, sent } = reconcileAlerts(e);
      for (const a of change.opened) process.stderr.write(`strata: ALERT ${a.destination}: ${a.message}\n`);
      await sent;
      const intact = record.status === 'ok' || (repair !== undefined && repair.failed.length === 0);
      setExit(intact ? EXIT_OK : EXIT_FAILED);
    });
}
