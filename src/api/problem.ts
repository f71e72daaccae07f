// RFC 9457 problem details: the one shape every error of the API takes. Routes and helpers throw HttpProblem;
// the error handler (error-handler.ts) is the only place that writes one to the wire.

export interface FieldError {
  /** Dotted path into the request part, prefixed by the part: `body.amountUsd`, `query.limit`. */
  path: string;
  message: string;
}

export interface ProblemBody {
  type: string;
  title: string;
  status: number;
  detail: string;
  errors?: FieldError[];
}

const statusTitles: Record<number, string> = {
  400: 'Bad request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not found',
  409: 'Conflict',
  413: 'Payload too large',
  415: 'Unsupported media type',
  422: 'Unprocessable content',
  429: 'Too many requests',
  500: 'Internal server error',
  503: 'Service unavailable',
};

/** `Insufficient buying power` -> `/problems/insufficient-buying-power`: a stable type per title. */
export function problemType(title: string): string {
  const slug = title
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '');
  return `/problems/${slug || 'about-blank'}`;
}

export class HttpProblem extends Error {
  override name = 'HttpProblem';
  readonly title: string;
  readonly type: string;
  readonly errors?: FieldError[];
  /** Extra response headers (WWW-Authenticate, Retry-After). */
  readonly headers?: Record<string, string>;

  constructor(
    readonly status: number,
    readonly detail: string,
    options: { title?: string; type?: string; errors?: FieldError[]; headers?: Record<string, string> } = {},
  ) {
    super(detail);
    this.title = options.title ?? statusTitles[status] ?? 'Error';
    this.type = options.type ?? problemType(this.title);
    this.errors = options.errors;
    this.headers = options.headers;
  }

  toJSON(): ProblemBody {
    return {
      type: this.type,
      title: this.title,
      status: this.status,
      detail: this.detail,
      ...(this.errors ? { errors: this.errors } : {}),
    };
  }

  static notFound(what: string): HttpProblem {
    return new HttpProblem(404, `${what} not found`);
  }

  /** 400 listing the invalid fields (`errors`), the shape of every validation failure. */
  static invalid(detail: string, errors: FieldError[]): HttpProblem {
    return new HttpProblem(400, detail, { title: 'Validation failed', errors });
  }

  static malformedJson(): HttpProblem {
    return new HttpProblem(400, 'The request body is not valid JSON', { title: 'Malformed JSON' });
  }
}
