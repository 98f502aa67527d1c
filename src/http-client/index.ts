/** @module http-client — the SDK's verbs over the HTTP API, for services that do not talk to Redis. */
export type {
  AuditList,
  DeployRequest,
  Feedback,
  FeedbackRequest,
  LabelChange,
  LabelList,
  PromptDetail,
  PromptList,
  Rendered,
  RollbackRequest,
  RunList,
  RunListQuery,
  RunOptions,
  RunRecord,
  RunResult,
  Stats,
} from '../api/contract.js';
export {
  createHttpClient,
  type HttpClientOptions,
  type HttpEnqueueItem,
  type HttpRunOptions,
  type OpmHttpClient,
} from './client.js';
export {
  BadRequestError,
  errorFromResponse,
  ForbiddenError,
  NotFoundError,
  OpmHttpError,
  PayloadTooLargeError,
  RateLimitedError,
  RunTimeoutError,
  ServerError,
  UnauthorizedError,
  UnprocessableError,
} from './errors.js';
