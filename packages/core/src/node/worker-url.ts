/**
 * The URL to start a worker_threads Worker from: the sibling module `name` of `from` (an
 * `import.meta.url`), as .js when the code runs compiled or bundled, and when it runs as TypeScript
 * under tsx, a small data: module that registers tsx in the worker first (workers do not inherit the
 * parent's loaders).
 */
export function workerUrl(name: string, from: string): URL {
  const worker = new URL(`./${name}.${from.endsWith('.ts') ? 'ts' : 'js'}`, from);
  if (worker.pathname.endsWith('.js')) return worker;
  const tsx = import.meta.resolve('tsx/esm/api');
  const code = `import { register } from ${JSON.stringify(tsx)}; register(); await import(${JSON.stringify(worker.href)});`;
  return new URL(`data:text/javascript,${encodeURIComponent(code)}`);
}
