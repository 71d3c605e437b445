/**
 * onnxruntime-node 1.29 and later start Microsoft's telemetry client (1DS) on Linux and macOS too, with
 * each process's first session: it writes an identifier to `$TMPDIR/.ses` and an empty
 * `mat-debug-<pid>.log` beside it, and is built to upload usage events over HTTPS (onnxruntime PR #29843
 * describes a process-information event sent once per process). A toolkit that classifies faces should
 * send nothing its user did not ask for, so the telemetry is off in every process that loads this module
 * (every command and server of the toolkit does, in its main thread, before it opens a session), unless
 * the user has set `ORT_DISABLE_TELEMETRY` themselves: `0` lets onnxruntime send it.
 *
 * It is set here, on the main thread, because the runtime reads the variable from the process's own
 * environment when its first session is made: a worker thread's `process.env` is a copy, and setting it
 * there changes nothing the runtime sees (measured: the files are still written).
 */
export const ORT_TELEMETRY_VARIABLE = 'ORT_DISABLE_TELEMETRY';

process.env[ORT_TELEMETRY_VARIABLE] ??= '1';
