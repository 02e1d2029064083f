/**
 * The console's only way to the server: the public REST API, with the API key from sessionStorage in the
 * `x-api-key` header (never in a URL, never in localStorage: it goes when the tab closes). Every call has a
 * timeout; an error answer becomes an ApiError carrying the API's own code and message.
 */
const KEY_ITEM = 'fleetsense.apiKey';
const TIMEOUT_MS = 15_000;

export type Role = 'reader' | 'operator' | 'admin';
const RANK: Record<Role, number> = { reader: 0, operator: 1, admin: 2 };

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export const storedKey = (): string | null => sessionStorage.getItem(KEY_ITEM);
export const storeKey = (key: string): void => sessionStorage.setItem(KEY_ITEM, key);
export const forgetKey = (): void => sessionStorage.removeItem(KEY_ITEM);

export async function api<T>(path: string, init: { method?: string; body?: unknown; key?: string } = {}): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json' };
  const key = init.key ?? storedKey();
  if (key) headers['x-api-key'] = key;
  if (init.body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(path, {
    method: init.method ?? 'GET',
    headers,
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
    signal: AbortSignal.timeout(TIMEOUT_MS),
  });
  const text = await res.text();
  const json = text ? JSON.parse(text) : undefined;
  if (!res.ok) {
    const e = json?.error ?? {};
    throw new ApiError(res.status, e.code ?? `HTTP_${res.status}`, e.message ?? res.statusText);
  }
  return json as T;
}

/** Query string from the set values only. */
export function qs(params: Record<string, string | number | undefined | null>): string {
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== '') p.set(k, String(v));
  const s = p.toString();
  return s ? `?${s}` : '';
}

export interface Principal {
  name: string;
  role: Role;
}
let principal: Principal | null = null;
export const currentPrincipal = (): Principal | null => principal;
export const setPrincipal = (p: Principal | null): void => {
  principal = p;
};
/** Whether the signed-in key may do what needs `role` (the server checks again; this only hides buttons). */
export const may = (role: Role): boolean => principal !== null && RANK[principal.role] >= RANK[role];
