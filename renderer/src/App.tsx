/** The shell: onboarding on first run, else the navigation and the current screen. */
import { useEffect } from 'react';
import { api } from './api/client.js';
import { ErrorBanner } from './components/ErrorBanner.js';
import { UnlockSecrets } from './components/UnlockSecrets.js';
import { Activity } from './screens/Activity.js';
import { Dashboard } from './screens/Dashboard.js';
import { Destinations } from './screens/Destinations.js';
import { Onboarding } from './screens/Onboarding.js';
import { RestoreScreen } from './screens/RestoreScreen.js';
import { Settings } from './screens/Settings.js';
import { SourcesScreen } from './screens/SourcesScreen.js';
import { useActiveRun } from './store/activeRun.js';
import { useAppInfo } from './store/appInfo.js';
import { useConnection } from './store/connection.js';
import { startEventBridge } from './store/events.js';
import { SCREENS, SCREEN_TITLES, useRoute, type Screen } from './store/route.js';
import { useSettings } from './store/settings.js';

const SCREEN_VIEWS: Record<Screen, () => React.JSX.Element> = {
  dashboard: Dashboard,
  sources: SourcesScreen,
  destinations: Destinations,
  restore: RestoreScreen,
  activity: Activity,
  settings: Settings,
};

export function App() {
  const { info, error, load } = useAppInfo();
  const loadSettings = useSettings((s) => s.load);

  useEffect(() => startEventBridge(api()), []);
  useEffect(() => {
    void load();
    void loadSettings();
  }, [load, loadSettings]);

  if (!info) {
    return (
      <main id="main" className="boot">
        <p className="brand">Strata</p>
        {error ? (
          <ErrorBanner error={error} title="Could not reach Strata" onRetry={() => void load()} />
        ) : (
          <p className="muted">Loading…</p>
        )}
      </main>
    );
  }
  return (
    <>
      <ConnectionBanner />
      <UnlockSecrets />
      {info.firstRun ? <Onboarding /> : <Layout />}
    </>
  );
}

function ConnectionBanner() {
  const connected = useConnection((s) => s.connected);
  return (
    <div role="status" className={connected ? 'visually-hidden' : 'connection-banner'}>
      {connected ? '' : 'Reconnecting to Strata…'}
    </div>
  );
}

function Layout() {
  const screen = useRoute((s) => s.screen);
  const go = useRoute((s) => s.go);
  const running = useActiveRun((s) => Boolean(s.active));
  const View = SCREEN_VIEWS[screen];
  return (
    <div className="shell">
      <a
        href="#main"
        className="skip-link"
        onClick={(e) => {
          e.preventDefault();
          document.getElementById('main')?.focus();
        }}
      >
        Skip to content
      </a>
      <nav aria-label="Main" className="sidebar">
        <p className="brand">Strata</p>
        <ul>
          {SCREENS.map((s) => (
            <li key={s}>
              <button
                type="button"
                className="nav-item"
                aria-current={screen === s ? 'page' : undefined}
                onClick={() => go(s)}
              >
                {SCREEN_TITLES[s]}
                {s === 'dashboard' && running ? (
                  <span className="nav-dot" aria-hidden="true" title="A backup is running" />
                ) : null}
              </button>
            </li>
          ))}
        </ul>
      </nav>
      <main id="main" className="content" tabIndex={-1}>
        <View key={screen} />
      </main>
    </div>
  );
}
