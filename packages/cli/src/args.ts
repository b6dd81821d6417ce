import { parseArgs, type ParseArgsConfig } from 'node:util';
import { EnvisionError, describeCause, type ExecutionProvider, parseExecutionProviders, providerFallbackMessage, resolveExecutionProviders } from '@envision/core';
import type { CommandIO } from './io.js';

type Options = NonNullable<ParseArgsConfig['options']>;

/** The values `parseArgs` returns for an options declaration. */
export type ParsedValues<O extends Options> = {
  [K in keyof O]?: O[K] extends { type: 'string'; multiple: true }
    ? string[]
    : O[K] extends { type: 'string' }
      ? string
      : O[K] extends { type: 'boolean'; multiple: true }
        ? boolean[]
        : boolean;
};

/** Parses a subcommand's arguments strictly; unknown or malformed flags are a usage error (exit 2). */
export function parseCommand<O extends Options>(
  command: string,
  argv: readonly string[],
  options: O,
  allowPositionals = false,
): { values: ParsedValues<O>; positionals: string[] } {
  try {
    const parsed = parseArgs({ args: [...argv], options, strict: true, allowPositionals });
    return { values: parsed.values as ParsedValues<O>, positionals: parsed.positionals };
  } catch (e) {
    throw new EnvisionError('E_USAGE', `${describeCause(e)} (see envision ${command} --help)`, e);
  }
}

/** Throws a usage error unless `value` is present. */
export function required<T>(command: string, flag: string, value: T | undefined): T {
  if (value === undefined || (Array.isArray(value) && value.length === 0)) {
    throw new EnvisionError('E_USAGE', `--${flag} is required (see envision ${command} --help)`);
  }
  return value;
}

/** Splits `NAME=VALUE`; a missing `=` or empty name is a usage error naming the flag. */
export function splitAssignment(command: string, flag: string, text: string): [string, string] {
  const eq = text.indexOf('=');
  if (eq <= 0) throw new EnvisionError('E_USAGE', `--${flag} expects NAME=VALUE, got '${text}'`);
  return [text.slice(0, eq), text.slice(eq + 1)];
}

/** A command-line option value: JSON when it parses (numbers, arrays, booleans, objects), else the string itself. */
export function parseOptionValue(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** The most onnxruntime threads a command accepts (more only contend for the cores and can exhaust memory). */
export const MAX_THREADS = 256;

/**
 * Parses `--threads N` (a positive integer) into adapter options.
 * @throws EnvisionError `E_USAGE` for anything else
 */
export function threadOptions(value: string | undefined): { intraOpNumThreads?: number } {
  if (value === undefined) return {};
  const n = Number(value);
  if (!/^\d+$/.test(value) || !Number.isInteger(n) || n < 1 || n > MAX_THREADS) {
    throw new EnvisionError('E_USAGE', `--threads must be an integer from 1 to ${MAX_THREADS}, got '${value}'`);
  }
  return { intraOpNumThreads: n };
}


/**
 * `--ep LIST` of an experiment command as a `--set` override of `model.executionProviders` (validated with the rest
 * of the experiment).
 * @throws EnvisionError `E_USAGE` naming the valid providers for an unknown one
 */
export function providerSets(value: string | undefined): string[] {
  if (value === undefined) return [];
  return [`model.executionProviders=${JSON.stringify(parseExecutionProviders(value))}`];
}

/**
 * `--ep LIST` of a command that loads a model itself, resolved against this machine: a provider that cannot load is a
 * one-line error (exit 2), or, when the list names `cpu`, one warning line on stderr and the list without it.
 * @returns the options to load the model with (none when `--ep` is not given: the CPU)
 * @throws EnvisionError `E_USAGE` for an unknown provider, `E_PROVIDER` for one that cannot load without `cpu` listed
 */
export async function providerOptions(command: string, value: string | undefined, io: CommandIO): Promise<{ executionProviders?: readonly ExecutionProvider[] }> {
  if (value === undefined) return {};
  const resolution = await resolveExecutionProviders(parseExecutionProviders(value));
  if (resolution.failed.length > 0) io.stderr(`envision ${command}: warning: ${providerFallbackMessage(resolution)}\n`);
  return { executionProviders: resolution.used };
}
