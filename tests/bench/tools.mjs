// The tools under test (Strata with the mirror layout and with the vault layout, rclone, restic): how each
// is set up (not measured) and the command that is measured.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { run } from './measure.mjs';
import { S3RVER_KEY } from './s3rver.mjs';

export const CLI = fileURLToPath(new URL('../../dist/electron/server/strata.mjs', import.meta.url));
const REGION = 'us-east-1';
/** The passphrase of every bench vault (STRATA_REPO_PASSPHRASE). */
export const REPO_PASSPHRASE = 'bench-vault-passphrase';

/** The environment every child starts from: nothing inherited but PATH (no proxies, no CA bundles, no AWS_*). */
export function baseEnv(home) {
  return { PATH: process.env.PATH, HOME: home, LANG: 'C.UTF-8', NO_PROXY: '*', no_proxy: '*' };
}

function which(cmd) {
  const r = spawnSync('sh', ['-c', `command -v ${cmd}`], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim() : null;
}

function versionOf(cmd, args) {
  const r = spawnSync(cmd, args, { encoding: 'utf8', env: baseEnv(process.env.HOME ?? '/tmp') });
  return (r.stdout || r.stderr || '').split('\n')[0].trim();
}

/**
 * Each tool: { name, label, flags, available() -> null | why-not, version(), prepare(job) -> runner }.
 * job: { dataset, target, dir, logDir, s3 } where s3 = { endpoint, bucket } for the s3 target.
 * runner(phase) -> { cmd, args, env, onLine?, details() } ; details() reads what the run reported.
 */
function strataTool({ name, label, layout }) {
  return {
    name,
    label,
    flags:
      layout === 'vault'
        ? 'strata dest add … --layout vault (passphrase from STRATA_REPO_PASSPHRASE), then strata backup --json'
        : 'strata backup --json (defaults; vault secret store; progress as JSON lines)',
    available: () => (existsSync(CLI) ? null : `${CLI} is missing: run 'npm run build'`),
    version: () => `strata ${versionOf(process.execPath, [CLI, '--version'])} (node ${process.version})`,
    async prepare(job) {
      const home = join(job.dir, 'home');
      mkdirSync(home, { recursive: true });
      const env = {
        ...baseEnv(home),
        STRATA_HOME: home,
        STRATA_SECRET_STORE: 'vault',
        STRATA_PASSPHRASE: 'x',
        STRATA_SECRET_ACCESS_KEY: S3RVER_KEY,
        ...(layout === 'vault' ? { STRATA_REPO_PASSPHRASE: REPO_PASSPHRASE } : {}),
      };
      const setup = (args, i) =>
        run(process.execPath, [CLI, ...args], { env, logFile: join(job.logDir, `setup-${i}.log`) });
      // The mirror row is set up exactly as before the vault existed (no --layout flag at all).
      const layoutArgs = layout === 'vault' ? ['--layout', 'vault'] : [];
      await setup(['init'], 1);
      await setup(['source', 'add', 'local', 'data', job.dataset.root], 2);
      if (job.target === 'local') {
        const dest = join(job.dir, 'dest');
        mkdirSync(dest, { recursive: true });
        await setup(['dest', 'add', 'local', 'dst', dest, ...layoutArgs], 3);
      } else {
        await setup(
          [
            'dest',
            'add',
            's3',
            'dst',
            '--provider',
            'other',
            '--bucket',
            job.s3.bucket,
            '--endpoint',
            job.s3.endpoint,
            '--region',
            REGION,
            '--access-key-id',
            S3RVER_KEY,
            ...layoutArgs,
          ],
          3,
        );
      }
      await setup(['policy', 'set', 'data', '/', '--to', 'dst'], 4);
      return () => {
        let result = null;
        const phases = {};
        let lastProgress = null;
        return {
          cmd: process.execPath,
          args: [CLI, 'backup', '--json'],
          env,
          onLine(line, ms) {
            let v;
            try {
              v = JSON.parse(line);
            } catch {
              return;
            }
            if (v.type === 'progress') {
              phases.firstLine ??= ms;
              phases[v.phase] ??= ms;
              lastProgress = v;
            } else if (v.type === 'result' || v.type === 'error') result = v;
          },
          details() {
            const r = result?.results?.[0];
            return {
              status: result?.status ?? result?.type ?? 'no result line',
              files: r?.filesTotal ?? null,
              filesSent: r?.filesUploaded ?? null,
              bytesSent: r?.bytesUploaded ?? null,
              filesFailed: r?.filesFailed ?? null,
              // ms since start when the first progress line of each phase arrived (lines come at most
              // every 500 ms, so each mark is late by up to that).
              phaseMs: phases,
              lastProgress: lastProgress && {
                filesScanned: lastProgress.filesScanned,
                filesSent: lastProgress.filesSent,
              },
              error: r?.error ?? result?.message ?? result?.error ?? undefined,
            };
          },
        };
      };
    },
    check(d, phase, dataset) {
      if (d.status !== 'ok') return `status ${d.status}${d.error ? `: ${d.error}` : ''}`;
      const want = phase === 'first' ? dataset.files : 0;
      if (d.filesSent !== want) return `sent ${d.filesSent} files, expected ${want}`;
      return null;
    },
  };
}

export const TOOLS = {
  strata: strataTool({ name: 'strata', label: 'Strata', layout: 'mirror' }),
  'strata-vault': strataTool({ name: 'strata-vault', label: 'Strata vault', layout: 'vault' }),
  rclone: {
    name: 'rclone',
    label: 'rclone',
    flags:
      'rclone copy SRC DST, defaults (--transfers 4 --checkers 8; S3: multipart above 200 MiB in 5 MiB parts, ' +
      '4 parts at once, path-style), plus --stats 1h --stats-log-level NOTICE so the final counts are logged',
    available: () => (which('rclone') ? null : 'rclone is not installed'),
    version: () => versionOf('rclone', ['version']),
    async prepare(job) {
      const home = join(job.dir, 'home');
      mkdirSync(home, { recursive: true });
      const config = join(job.dir, 'rclone.conf');
      writeFileSync(config, '');
      const env = { ...baseEnv(home), RCLONE_CONFIG: config };
      let dst;
      if (job.target === 'local') {
        dst = join(job.dir, 'dest');
        mkdirSync(dst, { recursive: true });
      } else {
        // A remote named "bench" defined entirely by environment variables.
        Object.assign(env, {
          RCLONE_CONFIG_BENCH_TYPE: 's3',
          RCLONE_CONFIG_BENCH_PROVIDER: 'Other',
          RCLONE_CONFIG_BENCH_ENDPOINT: job.s3.endpoint,
          RCLONE_CONFIG_BENCH_REGION: REGION,
          RCLONE_CONFIG_BENCH_ACCESS_KEY_ID: S3RVER_KEY,
          RCLONE_CONFIG_BENCH_SECRET_ACCESS_KEY: S3RVER_KEY,
          RCLONE_CONFIG_BENCH_FORCE_PATH_STYLE: 'true',
        });
        dst = `bench:${job.s3.bucket}/data`;
      }
      return (phase) => {
        const logFile = join(job.logDir, `${phase}.log`);
        return {
          cmd: 'rclone',
          args: ['copy', job.dataset.root, dst, '--stats', '1h', '--stats-log-level', 'NOTICE'],
          env,
          details() {
            const text = existsSync(logFile) ? readFileSync(logFile, 'utf8') : '';
            const files = /Transferred:\s+(\d+) \/ (\d+),/.exec(text);
            const checks = /Checks:\s+(\d+) \/ (\d+),/.exec(text);
            const errors = /Errors:\s+(\d+)/.exec(text);
            return {
              filesSent: files ? Number(files[1]) : 0,
              filesChecked: checks ? Number(checks[1]) : 0,
              errors: errors ? Number(errors[1]) : 0,
            };
          },
          logFile,
        };
      };
    },
    check(d, phase, dataset) {
      if (d.errors) return `${d.errors} errors`;
      const want = phase === 'first' ? dataset.files : 0;
      if (d.filesSent !== want) return `sent ${d.filesSent} files, expected ${want}`;
      return null;
    },
  },

  restic: {
    name: 'restic',
    label: 'restic',
    flags:
      'restic backup --json (defaults: repository v2, compression auto, 16 MiB packs; local cache kept between runs)',
    available: () => (which('restic') ? null : 'restic is not installed'),
    version: () => versionOf('restic', ['version']),
    async prepare(job) {
      const home = join(job.dir, 'home');
      mkdirSync(home, { recursive: true });
      const env = { ...baseEnv(home), RESTIC_PASSWORD: 'x', RESTIC_CACHE_DIR: join(job.dir, 'cache') };
      let repo;
      if (job.target === 'local') {
        repo = join(job.dir, 'repo');
      } else {
        Object.assign(env, { AWS_ACCESS_KEY_ID: S3RVER_KEY, AWS_SECRET_ACCESS_KEY: S3RVER_KEY });
        repo = `s3:${job.s3.endpoint}/${job.s3.bucket}`;
      }
      env.RESTIC_REPOSITORY = repo;
      await run('restic', ['init'], { env, logFile: join(job.logDir, 'setup-init.log') });
      return () => {
        let summary = null;
        return {
          cmd: 'restic',
          args: ['backup', '--json', job.dataset.root],
          env,
          onLine(line) {
            if (!line.includes('"summary"')) return;
            try {
              summary = JSON.parse(line);
            } catch {
              // not it
            }
          },
          details() {
            return summary
              ? {
                  filesNew: summary.files_new,
                  filesChanged: summary.files_changed,
                  filesUnmodified: summary.files_unmodified,
                  dataAdded: summary.data_added,
                  snapshot: summary.snapshot_id,
                }
              : { error: 'no summary line' };
          },
        };
      };
    },
    check(d, phase, dataset) {
      if (d.error) return d.error;
      const sent = d.filesNew + d.filesChanged;
      const want = phase === 'first' ? dataset.files : 0;
      if (sent !== want) return `backed up ${sent} new/changed files, expected ${want}`;
      return null;
    },
  },
};
