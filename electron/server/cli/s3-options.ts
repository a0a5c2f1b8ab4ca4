/** The options every S3-compatible bucket takes on the command line (a destination, or a bucket source). */
import { Option, type Command } from 'commander';
import { S3_PROVIDERS, type S3DestinationConfig } from '../../engine/destinations/config.js';
import { oneOf } from './parse.js';

export interface S3Flags {
  provider: string;
  bucket: string;
  prefix: string;
  region?: string;
  endpoint?: string;
  pathStyle?: boolean;
  accessKeyId: string;
}

export function withS3Options(cmd: Command, prefixHelp: string): Command {
  return cmd
    .addOption(new Option('--provider <provider>', 'storage provider').choices([...S3_PROVIDERS]).makeOptionMandatory())
    .requiredOption('--bucket <bucket>', 'bucket name')
    .option('--prefix <prefix>', prefixHelp, '')
    .option('--region <region>', 'region (provider default when omitted)')
    .option('--endpoint <url>', 'endpoint URL (required for r2, minio and other)')
    .option('--path-style', 'force path-style addressing')
    .requiredOption(
      '--access-key-id <id>',
      'access key id (the secret comes from STRATA_SECRET_ACCESS_KEY or a prompt)',
    );
}

export function s3Settings(o: S3Flags): Omit<S3DestinationConfig, 'kind' | 'storageClass'> {
  return {
    provider: oneOf(o.provider, S3_PROVIDERS, '--provider'),
    bucket: o.bucket,
    prefix: o.prefix,
    region: o.region,
    endpoint: o.endpoint,
    pathStyle: o.pathStyle,
    accessKeyId: o.accessKeyId,
  };
}
