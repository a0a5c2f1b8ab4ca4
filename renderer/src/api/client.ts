/** The one client the whole renderer uses; tests swap in their own transport with setClient. */
import { createClient, type StrataClient } from '../../../shared/api/client.js';
import { defaultTransport } from './transport.js';

let client: StrataClient | undefined;

export function api(): StrataClient {
  client ??= createClient(defaultTransport());
  return client;
}

export function setClient(c: StrataClient): void {
  client = c;
}
