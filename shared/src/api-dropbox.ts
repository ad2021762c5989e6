// Sign-in, Dropbox lookup/import and pending-change contract. Zod schemas and response types.
export {};
