/**
 * The operators' web console at `/` and the runbooks it links to at `/runbooks/<name>.md`. Both are public pages
 * (the console asks for an API key itself and sends it in `x-api-key` to the REST API, which enforces the roles),
 * hidden from the OpenAPI document: they are not API operations. The pages load nothing from another origin (the
 * Content-Security-Policy says so to the browser), so the console works offline.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { Type } from 'typebox';
import { consoleAssets, RUNBOOKS_DIR } from '../../console/bundle.js';
import { AppError } from '../../errors.js';

const CSP =
  "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; connect-src 'self'; " +
  "frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

function send(reply: FastifyReply, body: Buffer | string, contentType: string) {
  return reply
    .header('content-type', contentType)
    .header('content-security-policy', CSP)
    .header('x-content-type-options', 'nosniff')
    .header('cache-control', 'no-cache')
    .send(body);
}

export default async function consoleRoutes(app: FastifyInstance) {
  const hidden = { hide: true } as Record<string, unknown>;

  app.get('/', { schema: hidden }, async (_request, reply) => {
    const page = (await consoleAssets()).get('index.html')!;
    return send(reply, page.body, page.contentType);
  });

  app.get(
    '/console/:file',
    { schema: { ...hidden, params: Type.Object({ file: Type.String({ pattern: '^[\\w.-]{1,64}$' }) }) } },
    async (request, reply) => {
      const { file } = request.params as { file: string };
      const asset = (await consoleAssets()).get(file);
      if (!asset || file === 'index.html') throw new AppError('NOT_FOUND', `no console asset ${file}`);
      return send(reply, asset.body, asset.contentType);
    },
  );

  // Markdown as text: the console renders it; a browser tab shows it readable as it is.
  app.get(
    '/runbooks/:name',
    { schema: { ...hidden, params: Type.Object({ name: Type.String({ pattern: '^[\\w-]{1,64}\\.md$' }) }) } },
    async (request, reply) => {
      const { name } = request.params as { name: string };
      const text = await readFile(join(RUNBOOKS_DIR, name), 'utf8').catch(() => {
        throw new AppError('NOT_FOUND', `no runbook ${name}`);
      });
      return send(reply, text, 'text/plain; charset=utf-8');
    },
  );
}
