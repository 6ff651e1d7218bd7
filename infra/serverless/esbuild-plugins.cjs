// esbuild plugins for serverless-esbuild (serverless.yml custom.esbuild.plugins; CommonJS, since the
// plugin require()s this file).
//
// @smithy/core/event-streams: @aws-sdk/core `import()`s it for event-stream operations only, which no
// function calls, so that dynamic import stays out of the bundles (the ingest package stays small).
// The S3 client (reconcile, ALB mutual TLS) imports it statically: there it is bundled, or loading
// the S3 chunk would fail for want of a package the bundle left out.
module.exports = [
  {
    name: 'event-streams-bundled-only-where-imported-statically',
    setup(build) {
      build.onResolve({ filter: /^@smithy\/core\/event-streams$/ }, (args) =>
        args.kind === 'dynamic-import' ? { path: args.path, external: true } : undefined,
      );
    },
  },
];
