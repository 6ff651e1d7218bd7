// The SQS client alone, for a handler's wiring to import dynamically: a dynamic `import()` of the SDK
// package itself would bundle every export of it (esbuild cannot tree-shake a dynamic import's
// namespace); a static named import here lets it keep only what is used.
export { SQSClient } from '@aws-sdk/client-sqs';
