import { createHash } from 'node:crypto';
import express, { Router, type Request, type Response } from 'express';
import { errors as joseErrors, decodeJwt } from 'jose';
import { createTokenVerifier } from '../auth.js';
import type { AppDeps } from '../app.js';
import { HttpProblem } from '../problem.js';
import { movementResources, movementTimeline, type MovementResource, type MovementTimeline } from './admin-timeline.js';

// Operators' pages for a browser, beside /docs: the timeline of a movement, rendered on the server from the same
// data as GET /v1/admin/{resource}/{id}/timeline. A browser cannot send a bearer header on a link, so an operator
// signs in once at /admin/login with their operator token (the codec server's pattern): the token is kept in an
// HttpOnly, SameSite=Strict cookie scoped to /admin (Secure over https), for no longer than the token itself lives,
// and verified on every request exactly as /v1/admin verifies a bearer token (claim, audience, allow-list, MFA).
// The pages only read, so a cross-site request has nothing to gain, and SameSite=Strict sends no cookie with one.
// Everything shown is HTML-escaped; the pages load nothing and run no script: the policy allows their one style
// block by its hash and nothing else.

const cookieName = 'fundflow_operator';
const maxSessionMs = 8 * 3600_000;

const style = `
body{font:14px/1.45 system-ui,sans-serif;max-width:1200px;margin:1.5rem auto;padding:0 1rem;color:#1d2330}
h1{font-size:1.4rem;margin:.2rem 0}h2{font-size:1.05rem;margin:1.4rem 0 .4rem;border-bottom:1px solid #ddd}
table{border-collapse:collapse;width:100%}td,th{text-align:left;vertical-align:top;padding:.3rem .5rem;border-bottom:1px solid #eef0f4}
th{font-weight:600;color:#555}code{font:12px ui-monospace,monospace;word-break:break-all}
.kind{font-weight:600;white-space:nowrap}.status_change{color:#06c}.ledger_transaction{color:#0a7}.provider_call{color:#a60}
.operator_action{color:#b0247a}.postings td{border:0;padding:0 .6rem 0 0}.meta{color:#555}.bad{color:#c22}
form label{display:block;margin:.6rem 0}input{width:100%;max-width:640px;font:inherit;padding:.3rem}`;
const styleHash = `'sha256-${createHash('sha256').update(style).digest('base64')}'`;
const pagePolicy = `default-src 'none'; style-src ${styleHash}; form-action 'self'; base-uri 'none'; frame-ancestors 'none'`;

const escapeHtml = (value: unknown) =>
  String(value ?? '').replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

function send(res: Response, status: number, title: string, body: string): void {
  res.status(status);
  res.setHeader('Content-Security-Policy', pagePolicy);
  res.setHeader('Cache-Control', 'no-store');
  res
    .type('html')
    .send(
      `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title><style>${style}</style></head>` +
        `<body>${body}</body></html>`,
    );
}

function cookieOf(req: Request): string | undefined {
  for (const part of (req.get('cookie') ?? '').split(';')) {
    const [key, ...value] = part.trim().split('=');
    if (key === cookieName) return decodeURIComponent(value.join('='));
  }
  return undefined;
}

/** Only a path of these pages: never another origin (`//evil`, `/\\evil`) after signing in. */
const safeNext = (next: unknown) =>
  typeof next === 'string' && /^\/admin\/[A-Za-z0-9/_-]*$/.test(next) && !next.startsWith('//') ? next : '/admin/login';

function loginPage(res: Response, next: string, status = 200, problem?: string): void {
  send(
    res,
    status,
    'fundflow operators: sign in',
    `<h1>fundflow operators</h1>${problem ? `<p class="bad">${escapeHtml(problem)}</p>` : ''}` +
      `<form method="post" action="/admin/login"><input type="hidden" name="next" value="${escapeHtml(next)}">` +
      '<label>Operator token (as for /v1/admin) <input name="token" type="password" autocomplete="off" required></label>' +
      '<button>Sign in</button></form>',
  );
}

function renderTimeline(resource: MovementResource, t: MovementTimeline): string {
  const { movement, temporal } = t;
  const row = (cells: unknown[]) => `<tr>${cells.map((c) => `<td>${c}</td>`).join('')}</tr>`;
  const code = (v: unknown) => `<code>${escapeHtml(v)}</code>`;
  const describe = (e: MovementTimeline['entries'][number]): string => {
    switch (e.type) {
      case 'status_change':
        return `${code(e.status)} <span class="meta">event #${e.sequence} ${code(e.eventId)}</span>`;
      case 'ledger_transaction':
        return `${code(e.kind)} <span class="meta">#${escapeHtml(e.transactionId)} ${code(e.reference)}</span><table class="postings">${e.postings
          .map((p) => row([code(p.account), escapeHtml(p.asset), code(p.amount)]))
          .join('')}</table>`;
      case 'provider_call':
        return `${escapeHtml(e.provider)} ${code(e.kind)} ${code(e.providerId)} — ${code(e.amount)} ${escapeHtml(e.asset)} <span class="meta">key ${code(e.idempotencyKey)}</span>`;
      case 'operator_action':
        return (
          `${code(e.action)} by ${escapeHtml(e.operatorSubject)}: ${escapeHtml(e.outcome)}${e.reason ? ` — ${escapeHtml(e.reason)}` : ''}` +
          (Object.keys(e.details).length ? ` <span class="meta">${code(JSON.stringify(e.details))}</span>` : '')
        );
    }
  };
  return (
    `<h1>${escapeHtml(movement.kind)} ${code(movement.id)}</h1>` +
    `<p>Status ${code(movement.status)}${movement.failureReason ? ` — <span class="bad">${escapeHtml(movement.failureReason)}</span>` : ''}` +
    ` · user ${code(movement.userId)} · created ${escapeHtml(movement.createdAt)}</p>` +
    `<p>Temporal run ${code(temporal.workflowId)} ${temporal.executionStatus ? `(${escapeHtml(temporal.executionStatus)}) ` : ''}` +
    `<a href="${escapeHtml(temporal.temporalUiUrl)}" rel="noreferrer">open in the Temporal Web UI</a>` +
    ` · <a href="/v1/admin/${resource}/${escapeHtml(movement.id)}/timeline">JSON</a> (bearer token)</p>` +
    '<h2>Provider references</h2><table><tr><th>provider</th><th>kind</th><th>reference</th><th>from</th></tr>' +
    (t.providerReferences.length
      ? t.providerReferences
          .map((r) =>
            row([
              escapeHtml(r.provider),
              code(r.kind),
              `${code(r.reference)}${r.symbol ? ` ${escapeHtml(r.symbol)}` : ''}`,
              escapeHtml(r.sources.join(', ')),
            ]),
          )
          .join('')
      : row(['none yet', '', '', ''])) +
    '</table><h2>Timeline</h2><table><tr><th>time (UTC)</th><th>what</th><th></th></tr>' +
    t.entries
      .map((e) => row([code(e.at), `<span class="kind ${e.type}">${escapeHtml(e.type.replace('_', ' '))}</span>`, describe(e)]))
      .join('') +
    '</table>'
  );
}

export function operatorPagesRouter(deps: AppDeps): Router {
  const router = Router();
  const verify = createTokenVerifier(deps.config);
  const secure = (req: Request) => req.secure || deps.config.NODE_ENV === 'production';

  router.get('/admin/login', (req, res) => loginPage(res, safeNext(req.query.next)));

  router.post('/admin/login', express.urlencoded({ extended: false, limit: '16kb' }), async (req, res) => {
    const token = typeof req.body?.token === 'string' ? req.body.token.trim() : '';
    const next = safeNext(req.body?.next);
    let identity;
    try {
      identity = await verify(token);
    } catch (error) {
      if (error instanceof joseErrors.JOSEError) return loginPage(res, next, 401, 'That token is invalid or expired.');
      throw error;
    }
    if (!identity.operator) return loginPage(res, next, 403, identity.operatorRefusal ?? 'These pages are for operators.');
    const expiresMs = (decodeJwt(token).exp ?? 0) * 1000 - Date.now();
    res.cookie(cookieName, token, {
      httpOnly: true,
      sameSite: 'strict',
      secure: secure(req),
      path: '/admin',
      maxAge: Math.max(0, Math.min(maxSessionMs, expiresMs)),
    });
    res.setHeader('Cache-Control', 'no-store');
    res.redirect(303, next);
  });

  router.get('/admin/:resource/:id/timeline', async (req, res) => {
    const resource = req.params.resource as string;
    if (!(resource in movementResources)) throw new HttpProblem(404, `No page for ${req.path}`);
    const here = `/admin/${resource}/${encodeURIComponent(req.params.id as string)}/timeline`;
    const bearer = /^Bearer ([^\s]+)$/i.exec(req.get('authorization') ?? '')?.[1];
    const token = bearer ?? cookieOf(req);
    // Not signed in, or the token expired: to the sign-in page, which comes back here.
    const signIn = () => {
      res.clearCookie(cookieName, { path: '/admin' });
      res.setHeader('Cache-Control', 'no-store');
      res.redirect(303, `/admin/login?next=${encodeURIComponent(safeNext(here))}`);
    };
    if (!token) return signIn();
    let identity;
    try {
      identity = await verify(token);
    } catch (error) {
      if (error instanceof joseErrors.JOSEError) return signIn();
      throw error;
    }
    if (!identity.operator)
      return send(
        res,
        403,
        'Forbidden',
        `<h1>Forbidden</h1><p>${escapeHtml(identity.operatorRefusal ?? 'These pages are for operators.')}</p>`,
      );
    let timeline: MovementTimeline;
    try {
      timeline = await movementTimeline(deps, resource as MovementResource, req.params.id as string);
    } catch (error) {
      if (error instanceof HttpProblem && error.status === 404)
        return send(res, 404, 'Not found', `<h1>Not found</h1><p>${escapeHtml(error.detail)}</p>`);
      throw error;
    }
    send(res, 200, `${timeline.movement.kind} ${timeline.movement.id}`, renderTimeline(resource as MovementResource, timeline));
  });
  return router;
}
