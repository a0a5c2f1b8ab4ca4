/**
 * The desktop app's main process: thin glue between Electron and the engine. Every decision
 * lives in a module tested without Electron (tray-state, tray-menu, notifications,
 * window-state, power, login-item, desktop-secrets, ipc-bridge); this file only wires them.
 */
import {
  app,
  BrowserWindow,
  ipcMain,
  Menu,
  nativeImage,
  net,
  Notification,
  powerMonitor,
  protocol,
  safeStorage,
  screen,
  session,
  shell,
  Tray,
} from 'electron';
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, normalize, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { ActiveRun, Dashboard } from '../../shared/api/entities.js';
import { Engine } from '../engine/engine.js';
import { strataHome } from '../engine/home.js';
import { StrataService } from '../engine/service.js';
import { contentSecurityPolicy } from '../server/host/static-files.js';
import { launchPath, windowStateFile, xdgAutostartFile } from './app-paths.js';
import { chooseDesktopSecrets } from './desktop-secrets.js';
import { wireIpc } from './ipc-bridge.js';
import { applyLoginItem, startedHidden } from './login-item.js';
import { Notifier } from './notifications.js';
import { PowerHooks } from './power.js';
import { toElectronTemplate, trayMenu } from './tray-menu.js';
import { trayState, type TrayIcon, type TrayInput } from './tray-state.js';
import { clampToDisplays, loadWindowState, MIN_HEIGHT, MIN_WIDTH, track } from './window-state.js';

const here = fileURLToPath(new URL('.', import.meta.url));
const RENDERER = normalize(join(here, '../renderer'));
const PRELOAD = join(here, 'preload.cjs');
const ICONS = app.isPackaged ? join(process.resourcesPath, 'icons') : join(here, '../../build/icons');
const APP_ORIGIN = 'app://strata';
/** Test hooks (tray actions, state) only when an end-to-end test asks for them. */
const TEST_HOOKS = process.env.STRATA_E2E === '1';

protocol.registerSchemesAsPrivileged([
  { scheme: 'app', privileges: { standard: true, secure: true, supportFetchAPI: true } },
]);

if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  void main();
}

async function main(): Promise<void> {
  let win: BrowserWindow | undefined;
  let quitting = false;
  let dashboard: Dashboard | null = null;
  let active: ActiveRun | null = null;

  app.on('second-instance', () => showWindow());
  await app.whenReady();

  const engine = Engine.open({
    home: process.env.STRATA_HOME ? strataHome() : app.getPath('userData'),
    sqliteBinding: process.env.STRATA_SQLITE_BINDING,
  });
  const secrets = await chooseDesktopSecrets(engine, safeStorage, process.platform);
  // Waking from sleep: missed slots catch up (once, after a short delay).
  const power = new PowerHooks({
    powerMonitor,
    onResume: () => {
      service.wake();
      void reloadDashboard();
    },
  });
  const service = new StrataService(engine, {
    host: 'desktop',
    secrets,
    onBattery: () => power.onBattery(),
    openFolder: async (path) => {
      const error = await shell.openPath(path);
      if (error) throw new Error(error);
    },
  });
  const call = async <T>(method: string, input: unknown = {}): Promise<T> => {
    const reply = await service.handle(method, input);
    if (!reply.ok) throw new Error(reply.error.message);
    return reply.result as T;
  };

  // The app's pages come from its own scheme, with the same CSP as the headless host.
  protocol.handle('app', async (request) => {
    const url = new URL(request.url);
    const file = normalize(join(RENDERER, decodeURIComponent(url.pathname)));
    const target = file.startsWith(RENDERER + sep) && existsSync(file) ? file : join(RENDERER, 'index.html');
    const res = await net.fetch(pathToFileURL(target).toString());
    const headers = new Headers(res.headers);
    headers.set('Content-Security-Policy', contentSecurityPolicy());
    return new Response(res.body, { status: res.status, headers });
  });
  session.defaultSession.setPermissionRequestHandler((_wc, _permission, done) => done(false));

  wireIpc(ipcMain, service, {
    isTrustedUrl: (u) => u.startsWith(`${APP_ORIGIN}/`),
    send: (channel, event, data) => {
      if (win && !win.isDestroyed()) win.webContents.send(channel, event, data);
    },
  });

  // Navigation stays inside the app; links to the web open in the browser.
  app.on('web-contents-created', (_e, contents) => {
    contents.setWindowOpenHandler(({ url }) => {
      if (url.startsWith('https://')) void shell.openExternal(url);
      return { action: 'deny' };
    });
    contents.on('will-navigate', (event, url) => {
      if (!url.startsWith(`${APP_ORIGIN}/`)) event.preventDefault();
    });
  });

  function showWindow(): void {
    if (win && !win.isDestroyed()) {
      if (win.isMinimized()) win.restore();
      win.show();
      win.focus();
      return;
    }
    const stateFile = windowStateFile(app.getPath('userData'));
    const displays = screen.getAllDisplays().map((d) => d.workArea);
    const state = clampToDisplays(loadWindowState(stateFile), displays, screen.getPrimaryDisplay().workArea);
    win = new BrowserWindow({
      x: state.x,
      y: state.y,
      width: state.width,
      height: state.height,
      minWidth: MIN_WIDTH,
      minHeight: MIN_HEIGHT,
      show: false,
      title: 'Strata',
      icon: join(ICONS, '../icon.png'),
      webPreferences: {
        preload: PRELOAD,
        contextIsolation: true,
        sandbox: true,
        nodeIntegration: false,
        webSecurity: true,
        devTools: !app.isPackaged,
      },
    });
    if (state.maximized) win.maximize();
    track(win, stateFile);
    win.once('ready-to-show', () => win?.show());
    // Closing the window keeps Strata in the tray; Quit is in the tray menu.
    win.on('close', (event) => {
      if (!quitting) {
        event.preventDefault();
        win?.hide();
      }
    });
    void win.loadURL(`${APP_ORIGIN}/index.html`);
  }

  // Tray.
  const icons: Record<TrayIcon, Electron.NativeImage> = {
    idle: nativeImage.createFromPath(join(ICONS, 'tray-idle.png')),
    running: nativeImage.createFromPath(join(ICONS, 'tray-running.png')),
    error: nativeImage.createFromPath(join(ICONS, 'tray-error.png')),
    paused: nativeImage.createFromPath(join(ICONS, 'tray-paused.png')),
  };
  const tray = new Tray(icons.idle);
  const handlers = {
    'backup-now': () => void call('runs.start', {}).catch((err: Error) => notify('Backup did not start', err.message)),
    'cancel-backup': () => void call('runs.cancel'),
    'pause-schedules': () => void call('settings.set', { schedulesPaused: true }),
    'resume-schedules': () => void call('settings.set', { schedulesPaused: false }),
    open: () => showWindow(),
    quit: () => void quit(),
  };
  const trayInput = (): TrayInput => {
    const next = (dashboard?.destinations ?? []).map((d) => d.nextRunAt).filter((t): t is number => t !== null);
    return {
      dashboard,
      active,
      paused: dashboard?.schedulesPaused ?? false,
      nextRunAt: next.length ? Math.min(...next) : null,
      now: Date.now(),
    };
  };
  const refreshTray = (): void => {
    const input = trayInput();
    const state = trayState(input);
    tray.setImage(icons[state.icon]);
    tray.setToolTip(state.tooltip);
    tray.setContextMenu(Menu.buildFromTemplate(toElectronTemplate(trayMenu(input), handlers)));
  };
  const reloadDashboard = async (): Promise<void> => {
    dashboard = await call<Dashboard>('dashboard.get').catch(() => dashboard);
    refreshTray();
  };
  tray.on('click', () => showWindow());

  // Notifications and settings that live outside the page.
  const notify = (title: string, body: string): void => {
    if (Notification.isSupported()) new Notification({ title, body, icon: join(ICONS, '../icon.png') }).show();
  };
  const notifier = new Notifier({ show: notify });
  const applySettings = async (): Promise<void> => {
    const s = await call<{ notifyOnSuccess: boolean; launchAtLogin: boolean }>('settings.get');
    notifier.setSettings({ onSuccess: s.notifyOnSuccess });
    if (app.isPackaged) {
      applyLoginItem(app, s.launchAtLogin, process.platform, {
        autostartFile: xdgAutostartFile(homedir(), process.env),
        execPath: launchPath(process.execPath, process.env),
      });
    }
  };
  service.subscribe((event, data) => {
    if (event === 'run.started') notifier.onRunStarted(data as never);
    if (event === 'run.progress') {
      active = data as ActiveRun;
      refreshTray();
    }
    if (event === 'run.finished') {
      active = null;
      void reloadDashboard().then(() => notifier.onRunFinished(data as never, dashboard));
    }
    if (event === 'alerts.changed') notifier.onAlertsChanged(data as never);
    if (event === 'changed' && (data as { topics: string[] }).topics.includes('settings')) void applySettings();
    if (event === 'changed') void reloadDashboard();
  });

  async function quit(): Promise<void> {
    if (quitting) return;
    quitting = true;
    tray.setToolTip('Strata — stopping the backup at a safe point…');
    // A running backup stops where nothing is lost: what it sent is recorded, the next run continues.
    await service.shutdown();
    power.dispose();
    engine.close();
    app.exit(0);
  }
  app.on('before-quit', (event) => {
    if (!quitting) {
      event.preventDefault();
      void quit();
    }
  });
  app.on('window-all-closed', () => undefined);

  if (TEST_HOOKS) {
    // The end-to-end test drives the tray through these (a real tray menu cannot be clicked there).
    (globalThis as Record<string, unknown>).__strataTest = {
      trayMenu: () => trayMenu(trayInput()),
      trayState: () => trayState(trayInput()),
      trayAction: (id: keyof typeof handlers) => handlers[id](),
    };
  }

  await applySettings();
  service.startScheduler();
  await reloadDashboard();
  if (!startedHidden(process.argv, app, process.platform)) showWindow();
}
