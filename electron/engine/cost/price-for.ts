/** Which price row a destination is billed by: its provider and storage class. */
import type { DestinationConfig } from '../destinations/config.js';

const AWS_CLASSES: Record<string, string> = {
  STANDARD: 'aws-standard',
  INTELLIGENT_TIERING: 'aws-intelligent-tiering',
  STANDARD_IA: 'aws-standard-ia',
  ONEZONE_IA: 'aws-onezone-ia',
  GLACIER_IR: 'aws-glacier-ir',
  GLACIER: 'aws-glacier-flexible',
  DEEP_ARCHIVE: 'aws-deep-archive',
};

export function priceIdFor(provider: string, storageClass?: string | undefined): string {
  const cls = (storageClass ?? '').toUpperCase();
  switch (provider) {
    case 'local':
      return 'local';
    case 'aws':
      return AWS_CLASSES[cls] ?? 'aws-standard';
    case 'r2':
      return cls === 'STANDARD_IA' ? 'r2-ia' : 'r2-standard';
    case 'b2':
      return 'b2';
    case 'wasabi':
      return 'wasabi';
    default:
      return 'self-hosted';
  }
}

export function priceIdOf(config: DestinationConfig): string {
  return config.kind === 'local' ? 'local' : priceIdFor(config.provider, config.storageClass);
}
