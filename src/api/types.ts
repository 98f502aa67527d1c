import type { ApiRole } from './contract.js';

/** Who a request acts as: the API key that authenticated it. */
export interface Principal {
  /** The stored key's id (`bootstrap` for the `OPM_ADMIN_KEY` key). */
  keyId: string;
  /** The key's name: the actor in audit trails and feedback. */
  name: string;
  role: ApiRole;
}

/** One structured log line. Never given keys, headers or bodies. */
export type ApiLogger = (entry: Record<string, unknown>) => void;

/** Hono environment of the app: what middleware hands to routes. */
export interface ApiEnv {
  Variables: {
    principal: Principal;
  };
}
