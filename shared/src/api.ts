// Core API contract (owned by the worker-core work). Zod schemas and response types.
export {};
