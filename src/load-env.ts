import { loadEnvFile } from './env-file.js';

// Imported first by every entry point (server, worker, sandbox, codec server, scripts), so `.env` is in
// process.env before any module reads it. See .env.example.
loadEnvFile();
