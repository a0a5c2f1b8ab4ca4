/**
 * Google Drive on the command line: `source add gdrive` and `source connect` print the sign-in
 * URL and wait for the browser to come back to the loopback; `source disconnect` revokes;
 * `source set` changes export formats and shortcut handling.
 */
import { spawn } from 'node:child_process';
import type { Command } from 'commander';
import { DriveExportFormats } from '../../../shared/api/entities.js';
import { StrataError } from '../../../shared/errors.js';
import type { Engine } from '../../engine/engine.js';
import type { DriveConnectOptions } from '../../engine/sources/gdrive/drive-connect.js';
import { sourceLabel } from '../../engine/store/catalog.js';
import { readSecret } from './secret-input.js';

interface DriveFlags {
  clientId?: string;
  export?: string;
  followShortcuts?: boolean;
  open?: boolean;
}

/** "document=pdf,spreadsheet=ods" → formats; anything else is a usage error that lists the choices. */
export function parseExports(text: string | undefined): DriveExportFormats | undefined {
  if (!text) return undefined;
  const pairs = text.split(',').map((p) => p.trim().split('='));
  const parsed = DriveExportFormats.strict().safeParse(
    Object.fromEntries(pairs.map(([k, v]) => [k?.trim(), v?.trim()])),
  );
  if (!parsed.success) {
    throw new StrataError(
      'usage',
      `invalid --export '${text}'`,
      'use KIND=FORMAT pairs: document=docx|odt|pdf|txt|md, spreadsheet=xlsx|ods|pdf|csv, presentation=pptx|odp|pdf, drawing=svg|png|pdf',
    );
  }
  return parsed.data;
}

function openBrowser(url: string): void {
  const cmd = process.platform === 'darwin' ? 'open' : process.platform === 'win32' ? 'explorer' : 'xdg-open';
  const child = spawn(cmd, [url], { stdio: 'ignore', detached: true });
  child.on('error', () => undefined);
  child.unref();
}

async function signIn(engine: Engine, opts: DriveConnectOptions, open: boolean): Promise<void> {
  const attempt = await engine.connectDrive(opts);
  // On stderr, so --json output or a pipe keeps only the result; people still see it.
  process.stderr.write(
    `Open this address in a browser and allow Strata to read your Google Drive:\n\n  ${attempt.url}\n\n` +
      'Waiting for Google to send the browser back to Strata (Ctrl+C to give up)…\n',
  );
  if (open) openBrowser(attempt.url);
  const stop = (): void => attempt.cancel();
  process.once('SIGINT', stop);
  try {
    const rec = await attempt.done;
    console.log(`Connected source '${rec.name}' (${sourceLabel(rec.config)}).`);
  } finally {
    process.off('SIGINT', stop);
  }
}

export function addDriveCommands(source: Command, sourceAdd: Command, open: () => Engine): void {
  sourceAdd
    .command('gdrive')
    .description('a Google Drive (My Drive and shared drives), signed in with your own OAuth client')
    .argument('<name>', 'a short name, e.g. drive')
    .option(
      '--client-id <id>',
      'your OAuth client id (else STRATA_GOOGLE_CLIENT_ID); the secret comes from STRATA_GOOGLE_CLIENT_SECRET or a prompt',
    )
    .option(
      '--export <kind=format,...>',
      'how Google Docs are saved, e.g. document=pdf,spreadsheet=ods (default docx, xlsx, pptx, svg)',
    )
    .option('--follow-shortcuts', 'back up what shortcuts point at instead of recording them as links')
    .option('--open', 'open the sign-in page in the default browser as well')
    .option('--id <id>', "continue an existing snapshot series (its sourceId, from 'strata snapshots --json')")
    .action(async (name: string, o: DriveFlags & { id?: string }) => {
      const clientId = o.clientId ?? process.env.STRATA_GOOGLE_CLIENT_ID;
      if (!clientId) {
        throw new StrataError(
          'usage',
          'no OAuth client id given',
          'pass --client-id (README: "Google Drive: create your OAuth client")',
        );
      }
      const clientSecret = await readSecret('STRATA_GOOGLE_CLIENT_SECRET', `Client secret for ${clientId}: `);
      await signIn(
        open(),
        {
          name,
          clientId,
          clientSecret,
          exports: parseExports(o.export),
          followShortcuts: o.followShortcuts,
          id: o.id,
        },
        o.open === true,
      );
    });
  source
    .command('connect')
    .description('sign a Google Drive source in again (after Disconnect, or when Google revoked the access)')
    .argument('<name>')
    .option('--client-id <id>', 'use another OAuth client (its secret from STRATA_GOOGLE_CLIENT_SECRET or a prompt)')
    .option('--open', 'open the sign-in page in the default browser as well')
    .action(async (name: string, o: DriveFlags) => {
      const clientSecret = o.clientId
        ? await readSecret('STRATA_GOOGLE_CLIENT_SECRET', `Client secret for ${o.clientId}: `)
        : process.env.STRATA_GOOGLE_CLIENT_SECRET;
      await signIn(open(), { name, clientId: o.clientId, clientSecret }, o.open === true);
    });
  source
    .command('disconnect')
    .description("revoke Strata's access to a Google Drive and forget the tokens (the source and snapshots stay)")
    .argument('<name>')
    .action(async (name: string) => {
      const { revoked } = await open().disconnectDrive(name);
      console.log(
        revoked
          ? `Disconnected '${name}': Google revoked Strata's access. Sign in again with 'strata source connect ${name}'.`
          : `Disconnected '${name}', but Google could not be reached to revoke the access: remove Strata at https://myaccount.google.com/permissions.`,
      );
    });
  source
    .command('set')
    .description("change a Google Drive source's export formats or shortcut handling")
    .argument('<name>')
    .option('--export <kind=format,...>', 'e.g. document=pdf (the next run saves changed Docs that way)')
    .option('--follow-shortcuts', 'back up what shortcuts point at')
    .option('--no-follow-shortcuts', 'record shortcuts as links')
    .action(async (name: string, o: DriveFlags) => {
      const rec = await open().setDriveOptions(name, {
        exports: parseExports(o.export),
        followShortcuts: o.followShortcuts,
      });
      const c = rec.config.kind === 'gdrive' ? rec.config : undefined;
      const formats = { document: 'docx', spreadsheet: 'xlsx', presentation: 'pptx', drawing: 'svg', ...c?.exports };
      console.log(
        `Source '${name}': Docs saved as ${Object.entries(formats)
          .map(([k, v]) => `${k} → ${v}`)
          .join(', ')}; shortcuts ${c?.followShortcuts ? 'followed' : 'recorded as links'}.`,
      );
    });
}
