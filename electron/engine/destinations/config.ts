/** How a destination is described in the database and on the command line. Secrets live elsewhere. */
export type S3Provider = 'aws' | 'r2' | 'b2' | 'wasabi' | 'minio' | 'other';

export const S3_PROVIDERS: readonly S3Provider[] = ['aws', 'r2', 'b2', 'wasabi', 'minio', 'other'];

/** How backups are stored: 'mirror' (browsable files, the default) or 'vault' (deduplicated, compressed, encrypted). */
export type DestinationLayout = 'mirror' | 'vault';

export interface LocalDestinationConfig {
  kind: 'local';
  /** Absolute folder; may be a mounted NAS share. */
  path: string;
  /** Absent: mirror. */
  layout?: DestinationLayout | undefined;
}

export interface S3DestinationConfig {
  kind: 's3';
  provider: S3Provider;
  bucket: string;
  /** '' or 'some/prefix' (no leading or trailing slash). */
  prefix: string;
  region?: string | undefined;
  endpoint?: string | undefined;
  storageClass?: string | undefined;
  /** Forces path-style addressing; minio and other use it by default. */
  pathStyle?: boolean | undefined;
  accessKeyId: string;
  /** Absent: mirror. */
  layout?: DestinationLayout | undefined;
}

export function layoutOf(config: DestinationConfig): DestinationLayout {
  return config.layout ?? 'mirror';
}

export type DestinationConfig = LocalDestinationConfig | S3DestinationConfig;

/** Credentials resolved from the SecretStore at open time; never stored with the config. */
export interface S3Credentials {
  accessKeyId: string;
  secretAccessKey: string;
}
