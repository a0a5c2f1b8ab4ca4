import { Button } from '../components/Button.js';
import { ErrorBanner } from '../components/ErrorBanner.js';

/** The end of every Add source form: why adding failed (if it did), then Add and Cancel. */
export function SourceFormEnd(props: {
  action: { error: unknown; busy: boolean };
  errorTitle: string;
  submitLabel: string;
  onCancel?: (() => void) | undefined;
}) {
  const { action, errorTitle, submitLabel, onCancel } = props;
  return (
    <>
      <ErrorBanner error={action.error} title={errorTitle} />
      <div className="actions">
        <Button type="submit" variant="primary" busy={action.busy}>
          {submitLabel}
        </Button>
        {onCancel ? <Button onClick={onCancel}>Cancel</Button> : null}
      </div>
    </>
  );
}
