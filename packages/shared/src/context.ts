import { AsyncLocalStorage } from "node:async_hooks";

/** What is known about the request being served; logs mix it in so every line carries the request id. */
export interface RequestContext {
  readonly requestId: string;
  readonly traceId?: string | undefined;
  readonly spanId?: string | undefined;
}

/** Set by createBaseApp for the lifetime of each request. */
export const requestContext = new AsyncLocalStorage<RequestContext>();
