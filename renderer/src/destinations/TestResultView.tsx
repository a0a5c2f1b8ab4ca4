/** The steps of a connection test, each with ✓ or ✗, and the host's one-sentence summary. */
import type { ProbeStep, TestResult } from '../../../shared/api/entities.js';

const STEP_WORDS: Record<ProbeStep['step'], string> = {
  config: 'Settings',
  credentials: 'Credentials',
  write: 'Write a test file',
  read: 'Read it back',
  list: 'List files',
  delete: 'Delete the test file',
  repository: 'What it holds',
};

export function TestResultView({ result, title = 'Connection test' }: { result: TestResult; title?: string }) {
  return (
    <div className={`test-result ${result.ok ? 'test-ok' : 'test-failed'}`} role="status">
      <p className="test-summary">
        <strong>{result.ok ? `${title} passed` : `${title} failed`}:</strong> {result.summary}
      </p>
      <ul className="test-steps" aria-label={`${title} steps`}>
        {result.steps.map((s) => (
          <li key={s.step} className={s.ok ? 'step-ok' : 'step-failed'}>
            <span className="step-mark" aria-hidden="true">
              {s.ok ? '✓' : '✗'}
            </span>
            <span className="step-name">
              {STEP_WORDS[s.step]}
              <span className="visually-hidden">{s.ok ? ': passed' : ': failed'}</span>
            </span>
            <span className="step-ms">{Math.round(s.ms)} ms</span>
            {s.error ? <span className="step-error">{s.error}</span> : null}
          </li>
        ))}
      </ul>
    </div>
  );
}
