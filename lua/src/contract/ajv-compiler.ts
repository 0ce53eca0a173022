// ajv's compiler and its standalone code generator, in one module: the bundle's `ajv` part
// (scripts/bundle.mjs), which a command loads only when a schema must be compiled (validate.ts).

export { default as Ajv } from 'ajv';
export { default as standaloneCode } from 'ajv/dist/standalone';
