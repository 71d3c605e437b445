/**
 * `pnpm demo`: the demo page's Vite dev server (vite.config.ts), with the demo's own help and its
 * flags checked as every command checks them, instead of Vite's generic CLI.
 */
import { existsSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createServer } from 'vite';
import {
  modelsFolder,
  onLauncherGone,
  parseCommandArgs,
  readManifest,
  refuseFlags,
  runCommand,
  userPath,
  wholeNumberFlag,
} from '@facekit/core/node';
import { modelsDir } from './demo-assets.js';

const HELP = `Usage: pnpm demo [options]

Starts the web demo's dev server and prints the page's URL: the shipped ONNX models run in the browser
with onnxruntime-web (WebGPU when the browser has a GPU adapter, else wasm) on a photo, the webcam or
a sample face, beside the GraphQL server's answer.

Options:
  --port <n>     port (default: 5173, or the next free one)
  --host <addr>  address to listen on, e.g. 0.0.0.0 for every one (default: localhost)
  --open         open the page in the default browser
  --models <dir> the models folder to serve, as pnpm export writes it (default: models/, or
                 FACEKIT_MODELS=<dir>)
  -h, --help     this help

In the page, ?ep=wasm or ?ep=webgpu pins the runtime, ?threads=<n> runs wasm on n threads (default 1;
the server sends the COOP/COEP headers that let the page run more) and ?server=<url> names the GraphQL
server to compare with (default http://localhost:4000/graphql: start it with pnpm serve). A static build:
pnpm --filter @facekit/web-demo build (packages/web-demo/dist; pnpm --filter @facekit/web-demo
preview serves it).
`;

const { values } = parseCommandArgs(HELP, {
  options: {
    port: { type: 'string' },
    host: { type: 'string' },
    open: { type: 'boolean' },
    models: { type: 'string' },
  },
});
// The page's assets are found through FACEKIT_MODELS (demo-assets.ts), which the static build reads too.
if (values.models !== undefined) process.env.FACEKIT_MODELS = modelsFolder(userPath(values.models));
const models = modelsDir();
if (!existsSync(models)) refuseFlags(HELP, `${models}: no such folder (pnpm export writes one)`);
const port = values.port === undefined ? undefined : wholeNumberFlag(HELP, 'port', values.port, 0, 65535);
const root = dirname(fileURLToPath(import.meta.url));

// A start that cannot succeed — a models folder the page could not use (a file, no manifest.json, a
// manifest out of shape), an address that cannot be listened on — ends in one line, exit status 1, as
// pnpm serve's does, rather than a page that fails in the browser or a stack trace.
runCommand(HELP, async () => {
  await readManifest(models);
  const server = await createServer({
    root,
    configFile: `${root}/vite.config.ts`,
    server: {
      ...(port === undefined ? {} : { port }),
      ...(values.host === undefined ? {} : { host: values.host }),
      open: values.open === true,
    },
  });
  await server.listen();
  server.config.logger.info(`  models: ${models}`);
  server.printUrls();
  server.bindCLIShortcuts({ print: true });
  // Vite stops on SIGTERM, but pnpm passes no signal on: sent one, it exits and would leave the page's
  // server running, orphaned, on its port. Stopped when pnpm's shell is gone.
  onLauncherGone(() => {
    server.config.logger.info('  the package manager that started the demo has exited: stopping');
    void server.close().then(() => process.exit(0));
  });
});
