/**
 * `strata cost`: each destination's monthly estimate with its breakdown; `cost prices` and
 * `cost set-price` for the dated table and the user's overrides; `cost compare` for every
 * provider and class priced for one destination's data (or what the sources back up today).
 */
import type { Command } from 'commander';
import { PRICE_FIELDS, type DestinationCost, type PriceField } from '../../../shared/api/cost.js';
import { StrataError } from '../../../shared/errors.js';
import type { Engine } from '../../engine/engine.js';
import { formatBytes, formatTime, money, table } from './format.js';

type Out = { json: boolean };
type Emit = (out: Out, value: unknown, human: () => string) => void;

function destinationText(d: DestinationCost): string {
  const u = d.usage;
  const counted =
    u.at === null
      ? 'nothing stored yet'
      : `${formatBytes(u.bytes)} in ${u.objects.toLocaleString('en-US')} objects, ${u.measured ? 'counted' : 'estimated from runs since the last count'} ${formatTime(u.at)}`;
  const lines = [`${d.destination}  ${money(d.monthly.total)}/month  (${d.monthly.priceName}; ${counted})`];
  for (const l of d.monthly.lines) lines.push(`  ${money(l.amount).padStart(9)}  ${l.label}`);
  for (const w of d.monthly.warnings) lines.push(`  warning: ${w}`);
  return lines.join('\n');
}

function parsePrice(field: PriceField, text: string): number | null {
  if (text === 'default') return null;
  const n = Number(text);
  if (!Number.isFinite(n) || n < 0 || text.trim() === '') {
    throw new StrataError('usage', `'${text}' is not a price for ${field}`, "give a number of 0 or more, or 'default'");
  }
  return n;
}

export function addCostCommands(program: Command, open: () => Engine, emit: Emit): void {
  const cost = program
    .command('cost')
    .description("each destination's estimated monthly cost with its breakdown, from the dated price table")
    .option('--dest <name>', 'only this destination')
    .option('--measure', 'count what each destination stores by listing it first (one LIST per 1,000 objects)')
    .option('--json', 'print JSON')
    // Its own --dest and --json stay its own: `cost compare --dest D` is the subcommand's.
    .enablePositionalOptions()
    .action(async (o: { dest?: string; measure?: boolean; json?: boolean }) => {
      const e = open();
      if (o.measure) {
        const names = o.dest ? [o.dest] : e.catalog.listDestinations().map((d) => d.name);
        for (const n of names) await e.costs.measure(n);
      }
      const overview = e.costs.overview(o.dest);
      emit({ json: !!o.json }, overview, () =>
        overview.destinations.length
          ? [
              ...overview.destinations.map(destinationText),
              '',
              `Total: ${money(overview.total)}/month (prices of ${overview.tableDate}; yours in 'strata cost prices')`,
            ].join('\n')
          : "No destinations yet: add one with 'strata dest add'.",
      );
    });

  cost
    .command('prices')
    .description('the dated price table, with your overrides marked *')
    .option('--json', 'print JSON')
    .action((o: { json?: boolean }) => {
      const t = open().costs.table();
      const cell = (r: (typeof t.rows)[number], f: PriceField): string =>
        `${r.values[f]}${r.overridden.includes(f) ? '*' : ''}`;
      emit({ json: !!o.json }, t, () =>
        [
          table([
            ['ROW', 'NAME', '$/GB-MONTH', 'EGRESS $/GB', 'PUT/1000', 'GET/1000', 'MIN DAYS', 'AS OF'],
            ...t.rows.map((r) => [
              r.id,
              r.name,
              cell(r, 'storagePerGbMonth'),
              cell(r, 'egressPerGb'),
              cell(r, 'putPer1000'),
              cell(r, 'getPer1000'),
              cell(r, 'minStorageDays'),
              r.asOf,
            ]),
          ]),
          `Table of ${t.tableDate}. Change a price: strata cost set-price ROW FIELD VALUE|default (fields: ${PRICE_FIELDS.join(', ')})`,
        ].join('\n'),
      );
    });

  cost
    .command('set-price')
    .description("override one price of a row ('default' goes back to the table's figure)")
    .argument('<row>', "a row id from 'strata cost prices', e.g. b2 or aws-standard-ia")
    .argument('<field>', `one of: ${PRICE_FIELDS.join(', ')}`)
    .argument('<value>', "a number of 0 or more (dollars, days, KB or GB as the field says), or 'default'")
    .option('--json', 'print JSON')
    .action((row: string, field: string, value: string, o: { json?: boolean }) => {
      if (!(PRICE_FIELDS as readonly string[]).includes(field)) {
        throw new StrataError('usage', `no price field '${field}'`, `use one of: ${PRICE_FIELDS.join(', ')}`);
      }
      const f = field as PriceField;
      const info = open().costs.setPrice(row, f, parsePrice(f, value));
      emit({ json: !!o.json }, info, () =>
        info.overridden.includes(f)
          ? `${info.name}: ${f} is now ${info.values[f]} (the table says ${info.defaults[f]})`
          : `${info.name}: ${f} is back to the table's ${info.defaults[f]}`,
      );
    });

  cost
    .command('compare')
    .description("every provider and class priced for one destination's data, or for what your sources back up today")
    .option('--dest <name>', 'price what this destination stores (default: what your sources back up)')
    .option('--json', 'print JSON')
    .action((o: { dest?: string; json?: boolean }) => {
      const c = open().costs.compare({ destination: o.dest });
      emit({ json: !!o.json }, c, () =>
        [
          `For ${formatBytes(c.basis.bytes)} in ${c.basis.objects.toLocaleString('en-US')} objects (${c.basis.label}):`,
          table([
            ['', 'PROVIDER', 'PER MONTH', 'RESTORE ALL', 'NOTES'],
            ...c.rows.map((r) => [
              r.current ? '>' : '',
              r.name,
              money(r.monthly),
              money(r.restore),
              r.notes.join('; '),
            ]),
          ]),
        ].join('\n'),
      );
    });
}
