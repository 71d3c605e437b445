/**
 * Vite for the demo page: relative asset paths (the static build runs from any folder), the models
 * and onnxruntime-web's wasm served by the demo itself (demo-assets.ts), and onnxruntime-web's
 * "extern wasm" entries so their wasm (14 MB for wasm alone, 28 MB with WebGPU: browser-models.ts) is
 * loaded once from `ort/` instead of being inlined or duplicated into the bundle; every response of the
 * dev and preview servers makes the page cross-origin isolated (cross-origin-isolation.ts), so wasm may
 * run threads.
 */
import { defineConfig, defaultClientConditions } from 'vite';
import { crossOriginIsolation } from './cross-origin-isolation.js';
import { demoAssets } from './demo-assets.js';

export default defineConfig({
  base: './',
  plugins: [crossOriginIsolation(), demoAssets()],
  resolve: { conditions: ['onnxruntime-web-use-extern-wasm', ...defaultClientConditions] },
  optimizeDeps: { exclude: ['onnxruntime-web'] },
  build: { target: 'es2022', chunkSizeWarningLimit: 1024 },
  server: { port: 5173 },
  preview: { port: 4173 },
});
