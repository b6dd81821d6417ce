import { isAbsolute, relative } from 'node:path';

/**
 * The relative URL, from a report in `runDir`, of a file in the run folder: each path segment percent-encoded (so
 * spaces, `#`, `?`, `:` and the like cannot change the URL's meaning, and no segment can become a scheme), joined
 * with `/`. An absolute path is first made relative to `runDir`. The result still has to be HTML-escaped when it is
 * put into an attribute.
 *
 * @param path - the file, relative to the run folder (as a manifest lists it) or absolute
 * @param runDir - the run folder; needed only for an absolute `path`
 * @returns a relative URL such as `cxr-a/ig/prompts/00-cardiomegaly.all.png`
 */
export function relativeUrl(path: string, runDir = '.'): string {
  const rel = isAbsolute(path) ? relative(runDir, path) : path;
  return rel
    .split(/[\\/]+/)
    .filter((s) => s !== '' && s !== '.')
    .map((s) => encodeURIComponent(s))
    .join('/');
}
