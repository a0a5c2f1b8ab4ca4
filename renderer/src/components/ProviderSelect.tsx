/**
 * The Provider select of the bucket forms. Choosing another provider clears what belongs to the old
 * one's preset (region, storage class, path style), so no AWS region lingers on a B2 bucket.
 */
import type { DestinationForm, ProviderId, ProviderMeta } from '../../../shared/providers.js';

interface Props {
  /** Prefix for the select's id. */
  id: string;
  value: ProviderId;
  /** The providers offered; with one or none, nothing is shown. */
  offered: readonly ProviderMeta[];
  update: (patch: Partial<DestinationForm>) => void;
}

export function ProviderSelect({ id, value, offered, update }: Props) {
  if (offered.length <= 1) return null;
  return (
    <div className="field">
      <label htmlFor={`${id}-provider`}>Provider</label>
      <select
        id={`${id}-provider`}
        className="input"
        value={value}
        onChange={(e) =>
          update({ provider: e.target.value as ProviderId, region: '', storageClass: '', pathStyle: undefined })
        }
      >
        {offered.map((p) => (
          <option key={p.id} value={p.id}>
            {p.label}
          </option>
        ))}
      </select>
    </div>
  );
}
