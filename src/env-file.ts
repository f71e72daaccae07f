import { existsSync } from 'node:fs';
import path from 'node:path';

/**
 * Loads a dotenv file (default: `.env` in the working directory, where npm scripts and the image's WORKDIR run)
 * into process.env when it exists, with Node's own parser. A variable already in the environment wins, even empty.
 */
export function loadEnvFile(file = path.resolve('.env')): boolean {
  if (!existsSync(file)) return false;
  process.loadEnvFile(file);
  return true;
}
