/** `strata schedule`, `strata retention`, `strata prune` and `strata webhook`: a destination's plan from the terminal. */
import type { Command } from 'commander';
import { StrataError } from '../../../shared/errors.js';
import {
  RETENTION_PRESETS,
  RetentionPolicy,
  parseDuration,
  type RetentionPresetId,
} from '../../../shared/retention.js';
import { parseDayOfMonth, parseTimeOfDay, parseWeekday, type ScheduleSpec } from '../../../shared/schedule.js';
import type { Engine } from '../../engine/engine.js';
import type { PruneReport } from '../../engine/retention/prune-job.js';
import { validateCron } from '../../engine/schedule/next-run.js';
import { WEBHOOK_SECRET } from '../../engine/store/settings-store.js';
import { post } from '../../engine/health/webhook.js';
import { hostname } from 'node:os';
import { EXIT_FAILED, EXIT_OK, EXIT_PARTIAL } from './exit-codes.js';
import { formatBytes, formatTime, table } from './format.js';
import { oneOf } from './parse.js';

type Out = { json: boolean };
type Emit = (out: Out, value: unknown, human: () => string) => void;

interface ScheduleFlags {
  manual?: boolean;
  hourly?: string | boolean;
  daily?: string;
  weekly?: string[];
  monthly?: string[];
  cron?: string;
  alertAfter?: string;
}

export function addPlanCommands(
  program: Command,
  open: () => Engine,
  emit: Emit,
  setExit: (code: number) => void,
): void {
  const schedule = program.command('schedule').description('when each destination backs up on its own');
  schedule
    .command('set')
    .description('set a destination’s schedule (in this machine’s time zone) and/or its alert threshold')
    .argument('<dest>', 'destination name')
    .option('--manual', 'only when asked (Back up now, strata backup)')
    .option('--hourly [minute]', 'every hour, at this minute past (default 0)')
    .option('--daily <HH:MM>', 'every day at this time')
    .option('--weekly <DAY HH:MM...>', 'every week on this day at this time, e.g. --weekly mon 02:00')
    .option('--monthly <N HH:MM...>', 'every month on day N (the last day in shorter months), e.g. --monthly 1 03:00')
    .option('--cron <expr>', 'a cron expression: minute hour day-of-month month day-of-week, e.g. "30 2 * * 1-5"')
    .option('--alert-after <duration>', 'alert when no backup succeeded for this long, e.g. 48h or 3d (default 48h)')
    .option('--json', 'print JSON')
    .action((dest: string, o: ScheduleFlags & Out) => {
      const e = open();
      const spec = scheduleFrom(o);
      if (!spec && o.alertAfter === undefined) {
        throw new StrataError(
          'usage',
          'say when: --manual, --hourly, --daily HH:MM, --weekly DAY HH:MM, --monthly N HH:MM or --cron "EXPR"',
          'e.g. strata schedule set nas --daily 02:30',
        );
      }
      if (spec) e.setSchedule(dest, spec);
      if (o.alertAfter !== undefined) e.setStaleAfter(dest, hoursOf(o.alertAfter));
      const shown = e.planView(dest);
      emit(o, shown, () => describePlan(shown));
    });
  schedule
    .command('list')
    .description('every destination’s schedule, next runs and retention')
    .option('--json', 'print JSON')
    .action((o: Out) => {
      const e = open();
      const plans = e.catalog.listDestinations().map((d) => e.planView(d.name));
      emit(o, { paused: e.settings.get().schedulesPaused, plans }, () =>
        [
          ...(e.settings.get().schedulesPaused ? ['Schedules are paused (strata schedule resume).', ''] : []),
          ...(plans.length ? plans.map(describePlan) : ['No destinations yet.']),
        ].join('\n'),
      );
    });
  schedule
    .command('verify')
    .description('verify a destination on its own, right after a scheduled backup once the last check is this old')
    .argument('<dest>')
    .requiredOption('--every <interval>', 'off, daily, weekly or monthly')
    .option('--deep', 'download and re-hash instead of checking sizes and checksums')
    .option('--sample <pct>', 'with --deep: the share read each time (default 10%)')
    .option('--json', 'print JSON')
    .action((dest: string, o: Out & { every: string; deep?: boolean; sample?: string }) => {
      const every = oneOf(o.every, ['off', 'daily', 'weekly', 'monthly'] as const, '--every');
      const samplePercent = o.sample ? Number(o.sample.replace(/%$/, '')) : 10;
      if (!Number.isFinite(samplePercent) || samplePercent < 1 || samplePercent > 100) {
        throw new StrataError('usage', `invalid --sample '${o.sample}'`, 'give a percentage from 1 to 100');
      }
      const e = open();
      e.setVerifyPlan(dest, { every, deep: o.deep === true, samplePercent });
      const shown = e.planView(dest);
      emit(o, shown, () => describePlan(shown));
    });
  for (const [name, paused] of [
    ['pause', true],
    ['resume', false],
  ] as const) {
    schedule
      .command(name)
      .description(
        paused ? 'stop scheduled backups until resumed (Back up now still works)' : 'start scheduled backups again',
      )
      .action(() => {
        open().settings.set({ schedulesPaused: paused });
        process.stdout.write(paused ? 'Schedules paused.\n' : 'Schedules resumed.\n');
      });
  }

  const retention = program.command('retention').description('how much history each destination keeps');
  retention
    .command('set')
    .description('set a destination’s retention (restic forget semantics: the newest snapshot of each period is kept)')
    .argument('<dest>', 'destination name')
    .option('--preset <name>', `one of: ${Object.keys(RETENTION_PRESETS).join(', ')}`)
    .option('--keep-last <n>', 'the n newest snapshots')
    .option('--keep-hourly <n>', 'the newest of each of the last n hours with a snapshot')
    .option('--keep-daily <n>', 'the newest of each of the last n days with a snapshot')
    .option('--keep-weekly <n>', 'the newest of each of the last n weeks with a snapshot')
    .option('--keep-monthly <n>', 'the newest of each of the last n months with a snapshot')
    .option('--keep-yearly <n>', 'the newest of each of the last n years with a snapshot')
    .option('--keep-within <duration>', 'everything within this long of the newest snapshot, e.g. 30d, 2w, 1y6m')
    .option('--json', 'print JSON')
    .action((dest: string, o: Record<string, string | boolean | undefined> & Out) => {
      const e = open();
      const policy = retentionFrom(o);
      e.setRetention(dest, policy);
      const shown = e.planView(dest);
      emit(o, shown, () => describePlan(shown));
    });

  program
    .command('prune')
    .description('apply retention: remove the snapshots it lets go and the stored versions only they needed')
    .option('--dest <names>', 'only these destinations (comma-separated; default all with a retention policy)')
    .option('--dry-run', 'show what would be removed and freed, change nothing')
    .option(
      '--grace <hours>',
      'delete unused content only once it has been unused this long (default 24; 0 for as soon as no backup can still need it)',
    )
    .option('--json', 'print JSON')
    .action(async (o: { dest?: string; dryRun?: boolean; grace?: string } & Out) => {
      const graceMs = o.grace === undefined ? undefined : graceHours(o.grace) * 3600_000;
      const e = open();
      const wanted = o.dest
        ? o.dest.split(',').map((n) => e.catalog.destination(n.trim()).name)
        : e.catalog.listDestinations().map((d) => d.name);
      const reports: PruneReport[] = [];
      let worst = EXIT_OK;
      for (const name of wanted) {
        try {
          const r = await e.prune(name, { dryRun: !!o.dryRun, ...(graceMs !== undefined ? { graceMs } : {}) });
          reports.push(r);
          if (r.outcome?.collectBlocked || (o.dryRun && r.collectBlocked)) worst = Math.max(worst, EXIT_PARTIAL);
          if (!o.json) process.stdout.write(describePrune(r) + '\n');
        } catch (err) {
          if (wanted.length === 1) throw err;
          worst = EXIT_FAILED;
          process.stderr.write(`strata: prune ${name}: ${(err as Error).message}\n`);
        }
      }
      if (o.json) emit(o, { reports }, () => '');
      setExit(worst);
    });

  const webhook = program
    .command('webhook')
    .description('a URL told about alerts (chat) or about every run (healthchecks)');
  webhook
    .command('set')
    .argument('<url>', 'the webhook URL (kept with the other secrets)')
    .option(
      '--style <style>',
      'chat (JSON with text, on alerts) or healthchecks (ping per run, /fail on failure)',
      'chat',
    )
    .action(async (url: string, o: { style: string }) => {
      if (!/^https?:\/\/\S+$/.test(url)) {
        throw new StrataError(
          'usage',
          'the webhook must be a full http:// or https:// URL',
          'e.g. https://hc-ping.com/<uuid>',
        );
      }
      const style = oneOf(o.style, ['chat', 'healthchecks'] as const, '--style');
      const e = open();
      await (await e.secrets()).set(WEBHOOK_SECRET, url);
      e.settings.set({ webhookConfigured: true, webhookStyle: style });
      process.stdout.write(`Webhook saved (${style}).\n`);
    });
  webhook.command('remove').action(async () => {
    const e = open();
    await (await e.secrets()).delete(WEBHOOK_SECRET);
    e.settings.set({ webhookConfigured: false });
    process.stdout.write('Webhook removed.\n');
  });
  webhook
    .command('test')
    .description('send a test message to the saved webhook')
    .action(async () => {
      const e = open();
      const url = e.settings.get().webhookConfigured ? await (await e.secrets()).get(WEBHOOK_SECRET) : undefined;
      if (!url) throw new StrataError('not-found', 'no webhook is saved', 'save one with: strata webhook set URL');
      const text = `Strata on ${hostname()}: test message`;
      const problem = await post({
        url,
        body: { text, content: text, event: 'test', host: hostname(), time: Date.now() },
      });
      if (problem) throw new StrataError('network', problem, 'check the URL and that this machine can reach it');
      process.stdout.write('The webhook answered.\n');
    });
}

function scheduleFrom(o: ScheduleFlags): ScheduleSpec | undefined {
  const given = (['manual', 'hourly', 'daily', 'weekly', 'monthly', 'cron'] as const).filter((k) => o[k] !== undefined);
  if (given.length > 1) {
    throw new StrataError('usage', `choose one of --${given.join(', --')}`, 'a destination has one schedule');
  }
  if (o.manual) return { kind: 'manual' };
  if (o.hourly !== undefined) {
    const minute = o.hourly === true ? 0 : Number(o.hourly);
    if (!Number.isInteger(minute) || minute < 0 || minute > 59) {
      throw new StrataError('usage', `--hourly '${String(o.hourly)}' is not a minute`, 'give 0-59, e.g. --hourly 15');
    }
    return { kind: 'hourly', minute };
  }
  if (o.daily !== undefined) return { kind: 'daily', time: parseTimeOfDay(o.daily) };
  if (o.weekly !== undefined) {
    const [day, time, ...rest] = o.weekly;
    if (!day || !time || rest.length)
      throw new StrataError('usage', '--weekly takes a day and a time', 'e.g. --weekly mon 02:00');
    return { kind: 'weekly', day: parseWeekday(day), time: parseTimeOfDay(time) };
  }
  if (o.monthly !== undefined) {
    const [day, time, ...rest] = o.monthly;
    if (!day || !time || rest.length)
      throw new StrataError('usage', '--monthly takes a day of the month and a time', 'e.g. --monthly 1 03:00');
    return { kind: 'monthly', day: parseDayOfMonth(day), time: parseTimeOfDay(time) };
  }
  if (o.cron !== undefined) {
    validateCron(o.cron);
    return { kind: 'cron', expression: o.cron };
  }
  return undefined;
}

function hoursOf(text: string): number {
  const d = parseDuration(text);
  const hours = (d.years * 365 + d.months * 30 + d.days) * 24 + d.hours;
  if (hours < 1 || hours > 2160) {
    throw new StrataError('usage', `--alert-after ${text} is out of range`, 'give from 1h to 90d, e.g. 48h or 3d');
  }
  return hours;
}

function retentionFrom(o: Record<string, string | boolean | undefined>): RetentionPolicy {
  const rules = ['keepLast', 'keepHourly', 'keepDaily', 'keepWeekly', 'keepMonthly', 'keepYearly'] as const;
  const chosen = rules.filter((k) => o[k] !== undefined);
  if (o.preset !== undefined) {
    if (chosen.length || o.keepWithin !== undefined) {
      throw new StrataError(
        'usage',
        '--preset replaces the --keep-* options',
        'give either a preset or --keep-* options',
      );
    }
    const id = oneOf(String(o.preset), Object.keys(RETENTION_PRESETS) as RetentionPresetId[], '--preset');
    return { ...RETENTION_PRESETS[id].policy };
  }
  if (!chosen.length && o.keepWithin === undefined) {
    throw new StrataError(
      'usage',
      'say what to keep: --preset or --keep-last/--keep-hourly/--keep-daily/--keep-weekly/--keep-monthly/--keep-yearly/--keep-within',
      'e.g. strata retention set b2 --keep-daily 7 --keep-weekly 4 --keep-monthly 12',
    );
  }
  const policy: Record<string, number | string> = {};
  for (const k of chosen) {
    const n = Number(o[k]);
    const flag = `--${k.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
    if (!Number.isInteger(n) || n < 0)
      throw new StrataError('usage', `${flag} '${String(o[k])}' is not a count`, 'give a whole number, e.g. 7');
    policy[k] = n;
  }
  if (o.keepWithin !== undefined) {
    parseDuration(String(o.keepWithin));
    policy.keepWithin = String(o.keepWithin);
  }
  return RetentionPolicy.parse(policy);
}

type PlanView = ReturnType<Engine['planView']>;

function describePlan(p: PlanView): string {
  const lines = [
    `${p.destination}: ${p.scheduleSummary}; ${p.retentionSummary.charAt(0).toLowerCase()}${p.retentionSummary.slice(1)}`,
  ];
  if (p.nextRuns.length)
    lines.push(`  next runs (${p.timeZone}): ${p.nextRuns.map((t) => localTime(t, p.timeZone)).join(', ')}`);
  lines.push(`  alert when no backup succeeded for ${p.staleAfterHours} h`);
  lines.push(`  verification: ${p.verifySummary}`);
  return lines.join('\n');
}

function localTime(t: number, timeZone: string): string {
  return new Intl.DateTimeFormat('en-CA', {
    timeZone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  })
    .format(new Date(t))
    .replace(',', '');
}

function graceHours(text: string): number {
  const n = Number(text);
  if (!/^\d+(\.\d+)?$/.test(text.trim()) || !Number.isFinite(n)) {
    throw new StrataError('usage', `--grace ${text}: expected a number of hours`, 'e.g. --grace 24, or --grace 0');
  }
  return n;
}

function describePrune(r: PruneReport): string {
  const lines = [`${r.destination}: ${r.policySummary}`];
  if (r.snapshots.length) {
    lines.push(
      table(
        r.snapshots.map((s) => [
          `  ${formatTime(s.time)}`,
          s.sourceName,
          s.keep ? 'keep' : 'remove',
          s.keep ? `(${s.reasons.join(', ')})` : '',
        ]),
      ),
    );
  }
  if (r.foreign) lines.push(`  ${r.foreign} snapshot(s) of other machines' sources are left alone`);
  if (r.damaged) lines.push(`  ${r.damaged} snapshot(s) with unreadable manifests are kept`);
  if (r.collectBlocked) lines.push(`  ! ${r.collectBlocked}`);
  if (r.dryRun) {
    lines.push(
      `Would remove ${r.remove} snapshot(s) and free ${formatBytes(r.bytesToFree)} (${r.historyObjects} stored version(s) no kept snapshot needs). Nothing was changed (--dry-run).`,
    );
  } else if (r.outcome) {
    const o = r.outcome;
    if (o.vault) {
      const v = o.vault;
      lines.push(
        `Removed ${o.snapshotsRemoved} snapshot(s) and ${v.packsDeleted} pack(s) condemned by an earlier prune; freed ${formatBytes(o.bytesFreed)}.`,
      );
      if (v.packsRescued)
        lines.push(`  ${v.packsRescued} condemned pack(s) are used by snapshots written since: kept.`);
      if (v.packsRepacked || v.packsConsolidated) {
        const what = [
          v.packsRepacked ? `repacked ${v.packsRepacked} sparse pack(s)` : '',
          v.packsConsolidated ? `consolidated ${v.packsConsolidated} small pack(s) into full ones` : '',
        ].filter(Boolean);
        const said = what.join(' and ');
        lines.push(
          `  ${said[0]!.toUpperCase()}${said.slice(1)} (${formatBytes(v.bytesRepacked)} still in use copied).`,
        );
      }
      if (v.packsCondemned) {
        lines.push(
          `  Marked ${v.packsCondemned} unused pack(s) (${formatBytes(v.bytesCondemned)}) for deletion by a later prune.`,
        );
      }
      if (v.packsWaiting) lines.push(`  ${v.packsWaiting} pack(s) marked earlier wait: ${v.waitingFor}.`);
    } else {
      lines.push(
        `Removed ${o.snapshotsRemoved} snapshot(s) and ${o.objectsDeleted} stored version(s); freed ${formatBytes(o.bytesFreed)}.`,
      );
      if (o.objectsDeferred) {
        lines.push(
          `${o.objectsDeferred} unused version(s) are younger than a day and wait for a later prune (a backup may be using them).`,
        );
      }
    }
  }
  return lines.join('\n');
}
