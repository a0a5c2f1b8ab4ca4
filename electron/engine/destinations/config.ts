/** How a destination is described in the database and on the command line. Secrets live elsewhere. */
export type S3Provider = 'aws' | 'r2' | 'b2' | 'wasabi' | 'minio' | 'other';

export const S3_PROVIDERS: readonly S3Provider[] = ['aws', 'r2', 'b2', 'wasabi', 'minio', 'other'];

export interface LocalDestinationConfig {
  kind: 'local';
  /** Absolute folder; may be a mounted NAS share. */
  path: string;
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
}

export type DestinationConfig = LocalDestinationConfig | S3DestinationConfig;

/** Credentials resolved from the SecretStore at open time; never stored with the config. */
export interface S3Credentials {
  accessKeyId: string;
  secretAccessKey: string;
}
