/**
 * Which endpoint a request is for, from its method and target alone (a pure function). Paths are
 * matched by their end, so a gateway's prefix (`/anthropic/v1/messages`) or none (AI/ML API's
 * `/messages`) works alike.
 */

export type Route =
  | { name: 'messages' }
  | { name: 'count_tokens' }
  /** `base`: the path of the batches collection as the client named it, for `results_url`. */
  | { name: 'batch_create'; flavor: 'anthropic' | 'aiml'; base: string }
  | { name: 'batch_list' }
  | { name: 'batch_retrieve'; id: string }
  | { name: 'batch_cancel'; id: string; flavor: 'anthropic' | 'aiml' }
  | { name: 'batch_results'; id: string }
  /** AI/ML API's `GET /v1/batches?batch_id=ID`: the batch while it runs, its results once ended. */
  | { name: 'aiml_batch_get'; id: string | undefined }
  | { name: 'not_found' };

const PATTERNS: [
  method: string,
  pattern: RegExp,
  make: (match: RegExpExecArray, query: URLSearchParams) => Route,
][] = [
  ['POST', /\/messages$/, () => ({ name: 'messages' })],
  ['POST', /\/messages\/count_tokens$/, () => ({ name: 'count_tokens' })],
  [
    'POST',
    /^(.*\/messages\/batches)$/,
    (m) => ({ name: 'batch_create', flavor: 'anthropic', base: m[1] ?? '' }),
  ],
  ['GET', /\/messages\/batches$/, () => ({ name: 'batch_list' })],
  ['GET', /\/messages\/batches\/([^/]+)$/, (m) => ({ name: 'batch_retrieve', id: m[1] ?? '' })],
  [
    'POST',
    /\/messages\/batches\/([^/]+)\/cancel$/,
    (m) => ({ name: 'batch_cancel', id: m[1] ?? '', flavor: 'anthropic' }),
  ],
  ['GET', /\/messages\/batches\/([^/]+)\/results$/, (m) => ({ name: 'batch_results', id: m[1] ?? '' })],
  ['POST', /^(.*\/batches)$/, (m) => ({ name: 'batch_create', flavor: 'aiml', base: m[1] ?? '' })],
  ['GET', /\/batches$/, (_m, query) => ({ name: 'aiml_batch_get', id: query.get('batch_id') ?? undefined })],
  ['POST', /\/batches\/cancel\/([^/]+)$/, (m) => ({ name: 'batch_cancel', id: m[1] ?? '', flavor: 'aiml' })],
];

/** The route of `method target` (target as sent: path and query). */
export function routeOf(method: string, target: string): Route {
  const queryAt = target.indexOf('?');
  const path = queryAt === -1 ? target : target.slice(0, queryAt);
  const query = new URLSearchParams(queryAt === -1 ? '' : target.slice(queryAt + 1));
  for (const [wanted, pattern, make] of PATTERNS) {
    if (method !== wanted) continue;
    const match = pattern.exec(path);
    if (match) return make(match, query);
  }
  return { name: 'not_found' };
}
