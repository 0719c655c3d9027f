/** The package's version, for the user agent and `--version`. */
import { readFileSync } from 'node:fs';

let version: string | undefined;

/** The version in package.json (src/ and dist/ both sit one folder below it). Read once. */
export function packageVersion(): string {
  version ??= (
    JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }
  ).version;
  return version;
}
