// A local serverless plugin: keeps only the functions whose handler entry exists and exports
// `handler`, so `serverless package` works while some functions are still being written. Every
// function it leaves out is named in the output; set PORTICO_REQUIRE_ALL_FUNCTIONS=1 to fail instead.
const { existsSync, readFileSync } = require('node:fs');
const path = require('node:path');

const EXPORTS_HANDLER =
  /export\s+(?:const|let|var|async\s+function|function)\s+handler\b|export\s*\{[^}]*\bhandler\b[^}]*\}/;

function entryOf(servicePath, handler) {
  const base = handler.slice(0, handler.lastIndexOf('.'));
  for (const ext of ['.ts', '.mts', '.js', '.mjs']) {
    const file = path.join(servicePath, base + ext);
    if (existsSync(file)) return file;
  }
  return undefined;
}

class ReadyFunctions {
  constructor(serverless, _options, { log } = {}) {
    const servicePath = serverless.serviceDir ?? serverless.config.servicePath;
    const functions = serverless.service.functions ?? {};
    const missing = [];
    for (const [name, fn] of Object.entries(functions)) {
      const entry = fn.handler && entryOf(servicePath, fn.handler);
      if (entry && EXPORTS_HANDLER.test(readFileSync(entry, 'utf8'))) continue;
      missing.push(`${name} (${fn.handler}: ${entry ? 'no `handler` export' : 'no such file'})`);
      delete functions[name];
    }
    this.hooks = {};
    if (missing.length === 0) return;
    const message = `functions left out, handler not ready: ${missing.join(', ')}`;
    if (process.env.PORTICO_REQUIRE_ALL_FUNCTIONS === '1') throw new Error(message);
    (log?.warning ?? console.warn)(message);
    if (Object.keys(functions).length > 0) return;
    // serverless-esbuild cannot package a service without functions (its cleanup expects a build
    // folder): with none left, unhook it so the queues, table and roles still package.
    this.hooks.initialize = () => {
      for (const hooks of Object.values(serverless.pluginManager.hooks)) {
        for (let i = hooks.length - 1; i >= 0; i--) {
          if (/esbuild/i.test(hooks[i].pluginName)) hooks.splice(i, 1);
        }
      }
    };
  }
}

module.exports = ReadyFunctions;
