/** Feeds the host's event stream into the stores; App starts it once. */
import type { StrataClient } from '../../../shared/api/client.js';
import { useActiveRun } from './activeRun.js';
import { useChanges } from './changes.js';
import { useConnection } from './connection.js';
import { useSettings } from './settings.js';

export function startEventBridge(client: StrataClient): () => void {
  let wasDown = false;
  const offs = [
    client.on('run.progress', (run) => useActiveRun.getState().progress(run)),
    client.on('run.started', () => useChanges.getState().bumpRuns()),
    client.on('run.finished', (e) => {
      useActiveRun.getState().finished(e);
      useChanges.getState().bumpRuns();
    }),
    client.on('changed', (e) => {
      useChanges.getState().bump(e.topics);
      if (e.topics.includes('settings')) void useSettings.getState().load();
    }),
    // The host also says 'alerts' changed; this one can arrive alone (another host process's alerts).
    client.on('alerts.changed', () => useChanges.getState().bump(['alerts'])),
    client.onConnection((connected) => {
      useConnection.getState().setConnected(connected);
      // Events sent while the stream was down are lost: every view reloads.
      if (connected && wasDown) useChanges.getState().bumpAll();
      wasDown = !connected;
    }),
  ];
  return () => offs.forEach((off) => off());
}
