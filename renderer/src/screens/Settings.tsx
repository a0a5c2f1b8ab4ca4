/** App settings: data folder (read-only), files at once, upload limit, theme, desktop, webhook notifications, prices. */
import { useEffect, useId, useRef, useState } from 'react';
import { SettingsPatch, type Settings as SettingsData } from '../../../shared/api/entities.js';
import { Button } from '../components/Button.js';
import '../cost/cost.css';
import { PriceOverrides } from '../cost/PriceOverrides.js';
import { ErrorBanner } from '../components/ErrorBanner.js';
import { useAction } from '../components/useAction.js';
import { bytesPerSecondToMB, mbToBytesPerSecond, sentence } from '../format.js';
import { useAppInfo } from '../store/appInfo.js';
import { useRevision } from '../store/changes.js';
import { useSettings } from '../store/settings.js';
import { ScreenHeader } from './ScreenHeader.js';

const THEMES: { id: SettingsData['theme']; label: string }[] = [
  { id: 'system', label: 'System' },
  { id: 'light', label: 'Light' },
  { id: 'dark', label: 'Dark' },
];

const WEBHOOK_STYLES: { id: SettingsData['webhookStyle']; label: string; help: string }[] = [
  {
    id: 'chat',
    label: 'Chat',
    help: 'A JSON message with the text of each alert as it opens and closes: Slack, Mattermost, Discord, ntfy and the like.',
  },
  {
    id: 'healthchecks',
    label: 'Healthchecks',
    help: 'A ping after every run, to the URL with /fail added when it failed: healthchecks.io, Uptime Kuma and the like.',
  },
];

/** What is wrong with a webhook URL, by the contract's rule, or undefined. */
function webhookProblem(url: string): string | undefined {
  const parsed = SettingsPatch.shape.webhookUrl.safeParse(url);
  return parsed.success ? undefined : sentence(parsed.error.issues[0]?.message ?? 'give a full URL');
}

/** The smallest limit the host accepts (16 KiB/s), in MB/s for the message. */
const MIN_LIMIT = 16 * 1024;

export function Settings() {
  const { settings, error, load } = useSettings();
  // Kept here: saving can replace the form (its key follows the saved values).
  const [saved, setSaved] = useState(false);
  const rev = useRevision(['settings']);
  useEffect(() => {
    void load();
  }, [load, rev]);

  return (
    <>
      <ScreenHeader title="Settings" />
      <ErrorBanner error={error} title="Could not load the settings" onRetry={() => void load()} />
      {settings ? <SettingsForm key={formKey(settings)} settings={settings} saved={saved} onSaved={setSaved} /> : null}
      <PriceOverrides />
      <About />
    </>
  );
}

function formKey(s: SettingsData): string {
  return `${s.concurrency}/${s.bandwidthLimit}/${s.theme}/${s.launchAtLogin}/${s.notifyOnSuccess}/${s.skipOnBattery}/${s.webhookStyle}`;
}

function SettingsForm({
  settings,
  saved,
  onSaved: setSaved,
}: {
  settings: SettingsData;
  saved: boolean;
  onSaved: (saved: boolean) => void;
}) {
  const id = useId();
  const save = useSettings((s) => s.save);
  const [concurrency, setConcurrency] = useState(String(settings.concurrency));
  const [limit, setLimit] = useState(bytesPerSecondToMB(settings.bandwidthLimit));
  const [theme, setTheme] = useState(settings.theme);
  const [launchAtLogin, setLaunchAtLogin] = useState(settings.launchAtLogin);
  const [notifyOnSuccess, setNotifyOnSuccess] = useState(settings.notifyOnSuccess);
  const [skipOnBattery, setSkipOnBattery] = useState(settings.skipOnBattery);
  // Never prefilled: the saved URL is a secret the host does not send back.
  const [webhookUrl, setWebhookUrl] = useState('');
  const [webhookStyle, setWebhookStyle] = useState(settings.webhookStyle);
  const [problems, setProblems] = useState<{ concurrency?: string; limit?: string; webhook?: string }>({});
  const webhookInput = useRef<HTMLInputElement>(null);

  const action = useAction(async () => {
    setSaved(false);
    const found: typeof problems = {};
    const c = Number(concurrency);
    if (!Number.isInteger(c) || c < 1 || c > 64) found.concurrency = 'Give a whole number from 1 to 64';
    const bytes = mbToBytesPerSecond(limit);
    if (bytes !== null && (Number.isNaN(bytes) || bytes < MIN_LIMIT)) {
      found.limit = 'Give a number of MB/s of at least 0.02, or leave it empty for no limit';
    }
    const url = webhookUrl.trim();
    if (url) found.webhook = webhookProblem(url);
    if (!found.webhook) delete found.webhook;
    setProblems(found);
    if (Object.keys(found).length > 0) return;
    await save({
      concurrency: c,
      bandwidthLimit: bytes,
      theme,
      launchAtLogin,
      notifyOnSuccess,
      skipOnBattery,
      webhookStyle,
      ...(url ? { webhookUrl: url } : {}),
    });
    setWebhookUrl('');
    setSaved(true);
  });

  const removeWebhook = useAction(async () => {
    await save({ webhookUrl: null });
    // The Remove button is gone: the URL field is where to go next.
    webhookInput.current?.focus();
  });

  const change =
    <T,>(set: (v: T) => void) =>
    (v: T) => {
      set(v);
      setSaved(false);
    };

  return (
    <form
      className="panel settings"
      aria-label="Settings"
      noValidate
      onSubmit={(e) => {
        e.preventDefault();
        void action.run();
      }}
    >
      <div className="field">
        <label htmlFor={`${id}-data`}>Data folder</label>
        <input id={`${id}-data`} className="input mono" type="text" readOnly value={settings.dataFolder} />
        <p className="field-help">
          Where the database and settings live. To move it, start Strata with the STRATA_HOME environment variable set
          to another folder.
        </p>
      </div>

      <div className="field">
        <label htmlFor={`${id}-conc`}>Concurrency</label>
        <input
          id={`${id}-conc`}
          className="input input-narrow num"
          type="number"
          min={1}
          max={64}
          step={1}
          value={concurrency}
          aria-invalid={problems.concurrency ? true : undefined}
          aria-describedby={`${id}-conc-help`}
          onChange={(e) => change(setConcurrency)(e.target.value)}
        />
        {problems.concurrency ? <p className="field-problem">{problems.concurrency}</p> : null}
        <p id={`${id}-conc-help`} className="field-help">
          Files sent at once, from 1 to 64. More is faster on fast links and with many small files.
        </p>
      </div>

      <div className="field">
        <label htmlFor={`${id}-limit`}>Bandwidth limit (MB/s)</label>
        <input
          id={`${id}-limit`}
          className="input input-narrow num"
          type="text"
          inputMode="decimal"
          value={limit}
          placeholder="Unlimited"
          aria-invalid={problems.limit ? true : undefined}
          aria-describedby={`${id}-limit-help`}
          onChange={(e) => change(setLimit)(e.target.value)}
        />
        {problems.limit ? <p className="field-problem">{problems.limit}</p> : null}
        <p id={`${id}-limit-help`} className="field-help">
          Upload limit across all destinations, in megabytes (1,000,000 bytes) per second. Leave empty for no limit.
        </p>
      </div>

      <fieldset className="field">
        <legend>Theme</legend>
        <div className="radio-row">
          {THEMES.map((t) => (
            <label key={t.id} className="radio">
              <input
                type="radio"
                name={`${id}-theme`}
                value={t.id}
                checked={theme === t.id}
                onChange={() => change(setTheme)(t.id)}
              />
              {t.label}
            </label>
          ))}
        </div>
      </fieldset>

      <fieldset className="field">
        <legend>Desktop</legend>
        <label className="radio">
          <input type="checkbox" checked={launchAtLogin} onChange={(e) => change(setLaunchAtLogin)(e.target.checked)} />
          Start Strata in the tray when I log in
        </label>
        <label className="radio">
          <input
            type="checkbox"
            checked={notifyOnSuccess}
            onChange={(e) => change(setNotifyOnSuccess)(e.target.checked)}
          />
          Notify after successful backups too (failures always notify)
        </label>
        <label className="radio">
          <input type="checkbox" checked={skipOnBattery} onChange={(e) => change(setSkipOnBattery)(e.target.checked)} />
          Wait with scheduled backups while on battery
        </label>
        <p className="field-help">These apply to the desktop app; the headless host keeps them for it.</p>
      </fieldset>

      <fieldset className="field notifications">
        <legend>Notifications</legend>
        <div className="field">
          <label htmlFor={`${id}-webhook`}>Webhook URL</label>
          <input
            ref={webhookInput}
            id={`${id}-webhook`}
            className="input mono"
            type="password"
            autoComplete="off"
            spellCheck={false}
            placeholder={settings.webhookConfigured ? 'Saved — leave empty to keep' : 'https://…'}
            value={webhookUrl}
            aria-invalid={problems.webhook ? true : undefined}
            aria-describedby={`${problems.webhook ? `${id}-webhook-problem ` : ''}${id}-webhook-help`}
            onChange={(e) => change(setWebhookUrl)(e.target.value)}
          />
          {problems.webhook ? (
            <p id={`${id}-webhook-problem`} className="field-problem">
              {problems.webhook}
            </p>
          ) : null}
          <p id={`${id}-webhook-help`} className="field-help">
            {settings.webhookConfigured
              ? 'Type a new address to replace the saved one.'
              : 'Strata calls this address about alerts or runs. It is kept with your other secrets and never shown again.'}
          </p>
        </div>
        {settings.webhookConfigured ? (
          <div className="webhook-saved">
            <span className="tag tag-ok">A webhook is saved</span>
            <Button size="sm" variant="danger" busy={removeWebhook.busy} onClick={() => void removeWebhook.run()}>
              Remove webhook
            </Button>
          </div>
        ) : null}
        <ErrorBanner
          error={removeWebhook.error}
          title="Could not remove the webhook"
          onDismiss={removeWebhook.clearError}
        />
        <fieldset className="field">
          <legend>Webhook style</legend>
          <div className="radio-col">
            {WEBHOOK_STYLES.map((w) => (
              <div key={w.id} className="radio-option">
                <label className="radio">
                  <input
                    type="radio"
                    name={`${id}-webhook-style`}
                    value={w.id}
                    checked={webhookStyle === w.id}
                    aria-describedby={`${id}-style-${w.id}`}
                    onChange={() => change(setWebhookStyle)(w.id)}
                  />
                  {w.label}
                </label>
                <p id={`${id}-style-${w.id}`} className="field-help radio-help">
                  {w.help}
                </p>
              </div>
            ))}
          </div>
        </fieldset>
      </fieldset>

      <ErrorBanner error={action.error} title="Could not save" />
      <div className="actions">
        <Button type="submit" variant="primary" busy={action.busy}>
          Save
        </Button>
        <span role="status" className="saved-note">
          {saved ? 'Saved' : ''}
        </span>
      </div>
    </form>
  );
}

function About() {
  const info = useAppInfo((s) => s.info);
  if (!info) return null;
  return (
    <section className="panel about" aria-labelledby="about-heading">
      <h2 id="about-heading">About</h2>
      <dl className="about-list">
        <div>
          <dt>Version</dt>
          <dd>{info.version}</dd>
        </div>
        <div>
          <dt>Running as</dt>
          <dd>{info.host === 'headless' ? 'Headless server (strata serve)' : 'Desktop app'}</dd>
        </div>
        <div>
          <dt>Platform</dt>
          <dd>{info.platform}</dd>
        </div>
        <div>
          <dt>Secrets kept in</dt>
          <dd>{info.secretStore}</dd>
        </div>
      </dl>
    </section>
  );
}
