/**
 * onnxruntime-node, as every file of this package imports it. Its native library (1.30, Linux and macOS) carries
 * Microsoft's telemetry: the first `InferenceSession` of a process writes `/tmp/mat-debug-<pid>.log`, `/tmp/.ses` and
 * `~/.cache/Microsoft/DeveloperTools/.onnxruntime/{onnxruntime.db,deviceid}` and queues usage events. Envision writes
 * nowhere but its output folder, so telemetry is off unless the user set `ORT_DISABLE_TELEMETRY` themselves; the
 * library reads the variable once, when the first session is created, which is after this module runs.
 * @packageDocumentation
 */
import { env } from 'onnxruntime-node';

process.env['ORT_DISABLE_TELEMETRY'] ??= '1';
// The native logger of the whole process (read once, when the first session is created) writes errors to stderr in
// colour, several lines each: an execution provider that fails to load ("Failed to load library
// libonnxruntime_providers_shared.so …") would print them besides Envision's own one line. Failures arrive as
// exceptions; only fatal ones are logged.
env.logLevel = 'fatal';
export * from 'onnxruntime-node';
