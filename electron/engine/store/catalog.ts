import { randomBytes } from 'node:crypto';
import { StrataError } from '../../../shared/errors.js';
import type { DestinationConfig, S3DestinationConfig } from '../destinations/config.js';
import type { Db } from './database.js';
import { commandLine } from '../commands/command-run.js';
import type { DriveExportFormats } from '../../../shared/api/entities.js';

export interface LocalSourceConfig {
  kind: 'local';
  path: string;
}
/** An S3-compatible bucket (an R2 or S3 primary) read as a folder tree; its secret is in the secret store. */
export type BucketSourceConfig = Omit<S3DestinationConfig, 'kind' | 'storageClass'> & { kind: 'bucket' };
/** A Google Drive account, signed in with the user's own OAuth client; its client secret and tokens are secrets. */
export interface GDriveSourceConfig {
  kind: 'gdrive';
  clientId: string;
  /** The account's e-mail address, as Google told it at sign-in. */
  account?: string | undefined;
  /** How Docs, Sheets, Slides and Drawings are saved; unset kinds use docx/xlsx/pptx/svg. */
  exports?: DriveExportFormats | undefined;
  /** Back up what shortcuts point at (with cycle detection) instead of recording them as links. */
  followShortcuts?: boolean | undefined;
  /** Set by Disconnect: the tokens are revoked and gone until the user signs in again. */
  signedOut?: boolean | undefined;
}
/**
 * A command whose standard output is backed up as one file (a database dump). The values of its
 * environment variables (PGPASSWORD) are secrets, in the secret store; only their names are here.
 */
export interface CommandSourceConfig {
  kind: 'command';
  /** Program and arguments; with `shell`, one command line for /bin/sh -c. */
  argv: string[];
  shell?: boolean | undefined;
  /** The file's name in the snapshot, e.g. nextcloud.sql.gz. */
  outputName: string;
  gzip?: boolean | undefined;
  timeoutMs?: number | undefined;
  /** Output on standard error fails the backup even when the command exits 0. */
  stderrFatal?: boolean | undefined;
  envNames?: string[] | undefined;
}
export type SourceConfig = LocalSourceConfig | BucketSourceConfig | GDriveSourceConfig | CommandSourceConfig;

/** For people: the folder, bucket/prefix, the Drive account, or the command and its file. */
export function sourceLabel(c: SourceConfig): string {
  if (c.kind === 'gdrive') return c.account ? `Google Drive (${c.account})` : 'Google Drive';
  if (c.kind === 'command') return `${commandLine(c)} → ${c.outputName}`;
  return c.kind === 'local' ? c.path : c.prefix ? `${c.bucket}/${c.prefix}` : c.bucket;
}

export interface SourceRecord {
  id: string;
  name: string;
  config: SourceConfig;
  createdAt: number;
}

export interface DestinationRecord {
  id: string;
  name: string;
  config: DestinationConfig;
  createdAt: number;
}

const NAME_RE = /^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/;

export function checkName(kind: string, name: string): void {
  if (!NAME_RE.test(name)) {
    throw new StrataError(
      'usage',
      `invalid ${kind} name '${name}'`,
      'use 1-63 letters, digits, dot, dash or underscore, starting with a letter or digit',
    );
  }
}

/** Source ids name the snapshot series on destinations: the name plus randomness, so re-adding a name starts no collision. */
function newId(name: string): string {
  return `${name.toLowerCase().replace(/[^a-z0-9-]/g, '-')}-${randomBytes(4).toString('hex')}`;
}

interface Row {
  id: string;
  name: string;
  config: string;
  created_at: number;
}

/** Sources and destinations the user configured. */
export class Catalog {
  constructor(private readonly db: Db) {}

  addSource(name: string, config: SourceConfig, id = newId(name)): SourceRecord {
    checkName('source', name);
    if (this.findSource(name)) {
      throw new StrataError('usage', `a source named '${name}' already exists`, 'pick another name or remove it first');
    }
    if (this.findSource(id)) {
      throw new StrataError('usage', `a source with id '${id}' already exists`, "see them with 'strata source list'");
    }
    const rec: SourceRecord = { id, name, config, createdAt: Date.now() };
    this.db
      .prepare('INSERT INTO sources (id, name, kind, config, created_at) VALUES (?, ?, ?, ?, ?)')
      .run(rec.id, name, config.kind, JSON.stringify(config), rec.createdAt);
    return rec;
  }

  addDestination(name: string, config: DestinationConfig): DestinationRecord {
    checkName('destination', name);
    if (this.findDestination(name)) {
      throw new StrataError(
        'usage',
        `a destination named '${name}' already exists`,
        'pick another name or remove it first',
      );
    }
    const rec: DestinationRecord = { id: newId(name), name, config, createdAt: Date.now() };
    this.db
      .prepare('INSERT INTO destinations (id, name, kind, config, created_at) VALUES (?, ?, ?, ?, ?)')
      .run(rec.id, name, config.kind, JSON.stringify(config), rec.createdAt);
    return rec;
  }

  /** Replaces a destination's settings (its name, id and snapshot series stay). */
  updateDestination(name: string, config: DestinationConfig): DestinationRecord {
    const rec = this.destination(name);
    if (rec.config.kind !== config.kind) {
      throw new StrataError(
        'usage',
        `'${name}' is a ${rec.config.kind} destination and cannot become a ${config.kind} one`,
        'add a new destination instead',
      );
    }
    this.db.prepare('UPDATE destinations SET config = ? WHERE id = ?').run(JSON.stringify(config), rec.id);
    return { ...rec, config };
  }

  /** Replaces a source's settings (its name, id and snapshot series stay; so does its kind). */
  updateSource(name: string, config: SourceConfig): SourceRecord {
    const rec = this.source(name);
    if (rec.config.kind !== config.kind) {
      throw new StrataError(
        'usage',
        `'${name}' is a ${rec.config.kind} source and cannot become a ${config.kind} one`,
        'add a new source instead',
      );
    }
    this.db.prepare('UPDATE sources SET config = ? WHERE id = ?').run(JSON.stringify(config), rec.id);
    return { ...rec, config };
  }

  removeSource(name: string): void {
    this.db.prepare('DELETE FROM sources WHERE id = ?').run(this.source(name).id);
  }

  removeDestination(name: string): void {
    this.db.prepare('DELETE FROM destinations WHERE id = ?').run(this.destination(name).id);
  }

  listSources(): SourceRecord[] {
    return (this.db.prepare('SELECT * FROM sources ORDER BY name').all() as Row[]).map(toSource);
  }

  listDestinations(): DestinationRecord[] {
    return (this.db.prepare('SELECT * FROM destinations ORDER BY name').all() as Row[]).map(toDestination);
  }

  findSource(nameOrId: string): SourceRecord | undefined {
    const row = this.db.prepare('SELECT * FROM sources WHERE name = ? OR id = ?').get(nameOrId, nameOrId) as
      Row | undefined;
    return row && toSource(row);
  }

  findDestination(nameOrId: string): DestinationRecord | undefined {
    const row = this.db.prepare('SELECT * FROM destinations WHERE name = ? OR id = ?').get(nameOrId, nameOrId) as
      Row | undefined;
    return row && toDestination(row);
  }

  source(name: string): SourceRecord {
    const s = this.findSource(name);
    if (!s) {
      const known = this.listSources().map((x) => x.name);
      throw new StrataError(
        'not-found',
        `no source named '${name}'`,
        known.length ? `known sources: ${known.join(', ')}` : "add one with 'strata source add local NAME PATH'",
      );
    }
    return s;
  }

  destination(name: string): DestinationRecord {
    const d = this.findDestination(name);
    if (!d) {
      const known = this.listDestinations().map((x) => x.name);
      throw new StrataError(
        'not-found',
        `no destination named '${name}'`,
        known.length ? `known destinations: ${known.join(', ')}` : "add one with 'strata dest add local NAME DIR'",
      );
    }
    return d;
  }
}

function toSource(r: Row): SourceRecord {
  return { id: r.id, name: r.name, config: JSON.parse(r.config) as SourceConfig, createdAt: r.created_at };
}

function toDestination(r: Row): DestinationRecord {
  return { id: r.id, name: r.name, config: JSON.parse(r.config) as DestinationConfig, createdAt: r.created_at };
}
