/** The two IPC channels between the preload and the main process; nothing else crosses. */
export const CALL_CHANNEL = 'strata:call';
export const EVENT_CHANNEL = 'strata:event';
