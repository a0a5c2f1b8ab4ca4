/** A labelled progress bar; no value means "working, amount unknown" (indeterminate). */
interface Props {
  label: string;
  /** 0-100, or undefined while the total is not known yet. */
  value: number | undefined;
  valueText?: string;
}

export function ProgressBar({ label, value, valueText }: Props) {
  const indeterminate = value === undefined;
  return (
    <div
      role="progressbar"
      aria-label={label}
      aria-valuemin={0}
      aria-valuemax={100}
      aria-valuenow={indeterminate ? undefined : value}
      aria-valuetext={valueText}
      className={`progress${indeterminate ? ' progress-indeterminate' : ''}`}
    >
      <div className="progress-fill" style={indeterminate ? undefined : { width: `${value}%` }} />
    </div>
  );
}
