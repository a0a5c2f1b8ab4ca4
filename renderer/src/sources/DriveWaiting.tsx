/**
 * While Google asks the user to sign in (in another tab): what is happening, and the sign-in link
 * itself, for when no tab opened (a blocked popup, or a browser that ignored the request).
 */
import { ProgressBar } from '../components/ProgressBar.js';

export function DriveWaiting({ url }: { url: string }) {
  return (
    <div className="drive-waiting">
      <p role="status" className="drive-waiting-title">
        Waiting for Google…
      </p>
      <ProgressBar label="Waiting for Google" value={undefined} />
      <p>Sign in and allow Strata in the browser tab that opened. This page carries on by itself once you have.</p>
      <p className="field-help">
        If no browser tab opened,{' '}
        <a href={url} target="_blank" rel="noopener noreferrer">
          open this link
        </a>
        .
      </p>
    </div>
  );
}
