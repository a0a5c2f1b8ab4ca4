/**
 * A stand-in for the parts of Electron's main-process API that Strata's main.ts uses. It records
 * what the app does (windows and their webPreferences, the tray, IPC handlers, the app://
 * protocol, notifications) and lets the parent test process act like a user or the OS through
 * `process.send` messages: click a tray item, close the window, navigate, call over IPC, quit.
 */
import { EventEmitter } from 'node:events';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';

const rec = {
  privileged: [],
  protocolHandlers: new Map(),
  ipcHandlers: new Map(),
  windows: [],
  tray: null,
  notifications: [],
  opened: [],
  permissionHandler: null,
  exitCode: null,
  quitCalled: false,
};

class FakeApp extends EventEmitter {
  isPackaged = false;
  getPath(name) {
    if (name === 'userData') return process.env.FAKE_ELECTRON_USER_DATA;
    throw new Error(`fake electron: no path ${name}`);
  }
  requestSingleInstanceLock() {
    return process.env.FAKE_ELECTRON_SECOND_INSTANCE !== '1';
  }
  whenReady() {
    return Promise.resolve();
  }
  quit() {
    rec.quitCalled = true;
    // As in Electron: quitting before ready ends the process.
    setImmediate(() => process.exit(0));
  }
  exit(code) {
    rec.exitCode = code;
    process.send?.({ type: 'exit', code }, () => process.exit(code));
  }
  setLoginItemSettings() {}
  getLoginItemSettings() {
    return { openAtLogin: false, wasOpenedAsHidden: false };
  }
}
export const app = new FakeApp();

class WebContents extends EventEmitter {
  sent = [];
  windowOpenHandler = null;
  send(channel, ...args) {
    this.sent.push({ channel, args });
  }
  setWindowOpenHandler(fn) {
    this.windowOpenHandler = fn;
  }
}

export class BrowserWindow extends EventEmitter {
  constructor(options) {
    super();
    this.options = options;
    this.visible = false;
    this.destroyed = false;
    this.maximized = false;
    this.url = null;
    this.bounds = { x: options.x ?? 0, y: options.y ?? 0, width: options.width, height: options.height };
    this.webContents = new WebContents();
    rec.windows.push(this);
    app.emit('web-contents-created', {}, this.webContents);
  }
  isDestroyed() {
    return this.destroyed;
  }
  isMinimized() {
    return false;
  }
  isMaximized() {
    return this.maximized;
  }
  isVisible() {
    return this.visible;
  }
  maximize() {
    this.maximized = true;
  }
  restore() {}
  show() {
    this.visible = true;
  }
  hide() {
    this.visible = false;
  }
  focus() {}
  getNormalBounds() {
    return { ...this.bounds };
  }
  setBounds(b) {
    this.bounds = { ...this.bounds, ...b };
    this.emit('resize');
    this.emit('move');
  }
  async loadURL(url) {
    this.url = url;
    setImmediate(() => this.emit('ready-to-show'));
  }
  /** What Electron does on a close request: listeners may prevent it. */
  requestClose() {
    let prevented = false;
    this.emit('close', { preventDefault: () => (prevented = true) });
    if (!prevented) {
      this.destroyed = true;
      this.visible = false;
    }
    return prevented;
  }
}

export const ipcMain = {
  handle(channel, fn) {
    if (rec.ipcHandlers.has(channel)) throw new Error(`second handler for ${channel}`);
    rec.ipcHandlers.set(channel, fn);
  },
  removeHandler(channel) {
    rec.ipcHandlers.delete(channel);
  },
};

export const Menu = {
  buildFromTemplate(template) {
    return { template };
  },
};

export const nativeImage = {
  createFromPath(path) {
    return { path };
  },
};

export const net = {
  async fetch(url) {
    const body = await readFile(fileURLToPath(url));
    const type = url.endsWith('.html')
      ? 'text/html'
      : url.endsWith('.js')
        ? 'text/javascript'
        : 'application/octet-stream';
    return new Response(body, { status: 200, headers: { 'content-type': type } });
  },
};

export class Notification {
  static isSupported() {
    return true;
  }
  constructor(options) {
    this.options = options;
  }
  show() {
    rec.notifications.push({ title: this.options.title, body: this.options.body });
  }
}

export const powerMonitor = new EventEmitter();

export const protocol = {
  registerSchemesAsPrivileged(schemes) {
    rec.privileged.push(...schemes);
  },
  handle(scheme, fn) {
    rec.protocolHandlers.set(scheme, fn);
  },
};

// A reversible stand-in for OS encryption, so the test can tell ciphertext from plaintext.
const seal = (s) => Buffer.from(`sealed:${Buffer.from(s, 'utf8').toString('base64').split('').reverse().join('')}`);
export const safeStorage = {
  isEncryptionAvailable: () => process.env.FAKE_ELECTRON_NO_ENCRYPTION !== '1',
  getSelectedStorageBackend: () => (process.env.FAKE_ELECTRON_NO_ENCRYPTION === '1' ? 'basic_text' : 'gnome_libsecret'),
  encryptString: (plain) => seal(plain),
  decryptString(buf) {
    const s = buf.toString('utf8');
    if (!s.startsWith('sealed:')) throw new Error('fake safeStorage: not sealed here');
    return Buffer.from(s.slice(7).split('').reverse().join(''), 'base64').toString('utf8');
  },
};

const display = { workArea: { x: 0, y: 0, width: 1920, height: 1080 } };
export const screen = {
  getAllDisplays: () => [display],
  getPrimaryDisplay: () => display,
};

export const session = {
  defaultSession: {
    setPermissionRequestHandler(fn) {
      rec.permissionHandler = fn;
    },
  },
};

export const shell = {
  async openExternal(url) {
    rec.opened.push(url);
  },
  async openPath(path) {
    rec.opened.push(path);
    return '';
  },
};

export class Tray extends EventEmitter {
  constructor(image) {
    super();
    this.image = image;
    this.tooltip = '';
    this.menu = null;
    rec.tray = this;
  }
  setImage(image) {
    this.image = image;
  }
  setToolTip(text) {
    this.tooltip = text;
  }
  setContextMenu(menu) {
    this.menu = menu;
  }
}

const flatten = (items) => items.flatMap((i) => [i, ...(Array.isArray(i.submenu) ? flatten(i.submenu) : [])]);
const lastWindow = () => rec.windows.at(-1);

/** The parent test's commands. Each answers once with `{ id, result }` or `{ id, error }`. */
const commands = {
  state() {
    return {
      privileged: rec.privileged,
      protocols: [...rec.protocolHandlers.keys()],
      ipcChannels: [...rec.ipcHandlers.keys()],
      permissionHandler: rec.permissionHandler !== null,
      windows: rec.windows.map((w) => ({
        options: w.options,
        visible: w.visible,
        destroyed: w.destroyed,
        url: w.url,
        sent: w.webContents.sent.map((s) => s.args[0]),
      })),
      tray: rec.tray && {
        image: rec.tray.image.path,
        tooltip: rec.tray.tooltip,
        menu: flatten(rec.tray.menu?.template ?? []).map((i) => ({
          id: i.id,
          label: i.label,
          enabled: i.enabled,
          type: i.type,
        })),
      },
      notifications: rec.notifications,
      opened: rec.opened,
    };
  },
  async ipc({ url, method, input }) {
    const fn = rec.ipcHandlers.get('strata:call');
    if (!fn) throw new Error('no strata:call handler');
    return fn({ senderFrame: { url } }, method, input);
  },
  async fetch({ url }) {
    const res = await rec.protocolHandlers.get('app')(new Request(url));
    const body = await res.text();
    return { status: res.status, csp: res.headers.get('content-security-policy'), body: body.slice(0, 200) };
  },
  permission({ permission }) {
    let granted = null;
    rec.permissionHandler({}, permission, (g) => (granted = g));
    return granted;
  },
  trayClick({ item: id }) {
    const item = flatten(rec.tray.menu.template).find((i) => i.id === id);
    if (!item) throw new Error(`no tray item ${id}`);
    item.click?.();
    return true;
  },
  closeWindow() {
    return { prevented: lastWindow().requestClose() };
  },
  secondInstance() {
    app.emit('second-instance', {}, []);
    return true;
  },
  navigate({ url }) {
    let prevented = false;
    lastWindow().webContents.emit('will-navigate', { preventDefault: () => (prevented = true) }, url);
    return { prevented };
  },
  windowOpen({ url }) {
    return lastWindow().webContents.windowOpenHandler({ url });
  },
  resize({ bounds }) {
    lastWindow().setBounds(bounds);
    return true;
  },
  quit() {
    let prevented = false;
    app.emit('before-quit', { preventDefault: () => (prevented = true) });
    return { prevented };
  },
};

process.on('message', async (msg) => {
  if (!msg || typeof msg.cmd !== 'string') return;
  try {
    const result = await commands[msg.cmd](msg);
    process.send({ id: msg.id, result });
  } catch (err) {
    process.send({ id: msg.id, error: String(err?.stack ?? err) });
  }
});
