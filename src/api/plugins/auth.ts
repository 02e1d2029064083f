/**
 * API keys and roles. Keys are kept only as sha256 hashes (from API_KEYS, hashed at start, or API_KEYS_FILE, which
 * holds hashes only). A route declares the least role it needs in its options, `config: { role: 'reader' }`;
 * roles are ordered reader < operator < admin. No key: 401; a key whose role is too low: 403. Every state-changing
 * call (non-GET) on a protected route is written to `api_audit` unless the route sets `config.audit = false`
 * (telemetry ingest: data, not a change of state): a `requested` row, durable before the handler runs (a call
 * that cannot be put on record is refused with 503 and not applied), then a `completed` row with the status.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import type { Config, Role } from '../../config.js';
import { AppError, ConfigError } from '../../errors.js';
import type { TableRow } from '../../telemetry/writer.js';

export interface ApiKey {
  readonly name: string;
  readonly role: Role;
  readonly sha256: string;
}

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Least role the route needs; absent: public. */
    role?: Role;
    /** Write state-changing calls to api_audit (default true). */
    audit?: boolean;
  }
  interface FastifyRequest {
    /** The caller, once authenticated: key name and role. */
    principal?: { name: string; role: Role };
  }
}

const RANK: Record<Role, number> = { reader: 0, operator: 1, admin: 2 };
const ROLES = Object.keys(RANK) as Role[];

export const sha256 = (s: string): string => createHash('sha256').update(s).digest('hex');

/** Parse `role:key,role:key` (local use) and the hashed key file into one list. */
export function loadApiKeys(api: Config['api']): ApiKey[] {
  const keys: ApiKey[] = [];
  api.apiKeys
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .forEach((entry, i) => {
      const [role, key] = entry.split(':', 2);
      if (!ROLES.includes(role as Role) || !key) {
        throw new ConfigError(`API_KEYS entry ${i + 1} must be role:key with role one of ${ROLES.join(', ')}`);
      }
      keys.push({ name: `${role}-${i + 1}`, role: role as Role, sha256: sha256(key) });
    });
  if (api.apiKeysFile) {
    const parsed = JSON.parse(readFileSync(api.apiKeysFile, 'utf8')) as ApiKey[];
    for (const k of parsed) {
      if (!ROLES.includes(k.role) || !/^[0-9a-f]{64}$/.test(k.sha256) || !k.name) {
        throw new ConfigError(`API_KEYS_FILE entry "${k.name}" needs name, role (${ROLES.join('|')}) and a sha256 hex`);
      }
      keys.push(k);
    }
  }
  return keys;
}

function presentedKey(request: FastifyRequest): string | undefined {
  const header = request.headers['x-api-key'];
  if (typeof header === 'string' && header) return header;
  const auth = request.headers.authorization;
  if (auth?.startsWith('Bearer ')) return auth.slice(7).trim();
  return undefined;
}

function findKey(keys: readonly ApiKey[], presented: string): ApiKey | undefined {
  const digest = Buffer.from(sha256(presented), 'hex');
  return keys.find((k) => timingSafeEqual(Buffer.from(k.sha256, 'hex'), digest));
}

async function authPlugin(app: FastifyInstance) {
  const keys = loadApiKeys(app.config.api);
  const anonymous = app.config.api.anonymousRole;

  app.addHook('onRequest', async (request) => {
    const presented = presentedKey(request);
    if (presented) {
      const key = findKey(keys, presented);
      if (!key) throw new AppError('UNAUTHORIZED', 'API key not recognised');
      request.principal = { name: key.name, role: key.role };
    } else if (anonymous) {
      request.principal = { name: 'anonymous', role: anonymous };
    }
    const needed = request.routeOptions.config?.role;
    if (!needed) return;
    if (!request.principal) throw new AppError('UNAUTHORIZED', 'send an API key in x-api-key or Authorization: Bearer');
    if (RANK[request.principal.role] < RANK[needed]) {
      throw new AppError('FORBIDDEN', `role ${request.principal.role} may not call this route; it needs ${needed}`);
    }
  });

  const audited = (request: FastifyRequest) => {
    const cfg = request.routeOptions.config;
    return Boolean(cfg?.role) && cfg?.audit !== false && request.method !== 'GET' && request.method !== 'HEAD';
  };
  const auditRow = (request: FastifyRequest, phase: 'requested' | 'completed', status: number): TableRow => ({
    ts: Date.now(),
    symbols: {
      principal: request.principal?.name ?? 'none',
      role: request.principal?.role ?? 'none',
      method: request.method,
      phase,
    },
    strings: {
      route: request.routeOptions.url ?? request.url,
      url: request.url.slice(0, 512),
      request_id: request.id,
    },
    longs: { status },
  });

  // Before the handler: the request is on record durably, or it is refused (503) and nothing is applied.
  app.addHook('preHandler', async (request) => {
    if (audited(request)) await app.writer.writeDurable('api_audit', [auditRow(request, 'requested', 0)]);
  });

  // After the answer: its status. Best effort: the request row above is the durable record of the intent.
  app.addHook('onResponse', async (request, reply) => {
    if (!audited(request)) return;
    app.writer
      .writeRows('api_audit', [auditRow(request, 'completed', reply.statusCode)])
      .catch((err) => request.log.error({ err: err.message }, 'could not write api_audit completion row'));
  });
}

export default fp(authPlugin, { name: 'auth', dependencies: ['resources'] });
