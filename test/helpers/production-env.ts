// Strong values for what a real deployment must supply (the real providers, issuer, audiences, secrets no
// repository ever shipped): the one fixture the production-config tests and the compose tests start from.

export const strongPassword = 'Zq8vN2rT5wXy7bC4dF6gH9jK3mP1sL0e';

export const realProviderEnv: Record<string, string> = {
  AUTH_JWKS_URL: 'https://id.fundflow.example/.well-known/jwks.json',
  AUTH_ISSUER: 'https://id.fundflow.example/',
  AUTH_AUDIENCE: 'fundflow-api',
  AUTH_OPERATOR_AUDIENCE: 'fundflow-operators',
  CIRCLE_API_KEY: 'LIVE_API_KEY:8f1c2a9e4b7d6f3a0c5e8b2d9f4a7c1e:3b6e9d2c5f8a1b4e7d0c3f6a9b2e5d8c',
  CIRCLE_ENTITY_SECRET: '9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08',
  CIRCLE_WALLETS_BASE_URL: 'https://api.circle.com',
  CIRCLE_MINT_BASE_URL: 'https://api.circle.com',
  ALPACA_KEY_ID: 'AKFZ3Q2XH7L9M4N8P5R1',
  ALPACA_SECRET_KEY: 'xW9kQ2mN7vB4cR8tY5uJ3hL6gF1dS0aZpE2oI4qK',
  ALPACA_BROKER_BASE_URL: 'https://broker-api.alpaca.markets',
  ALPACA_BROKER_KEY: 'CKT4W8Y2U6I0O3P7A1S5',
  ALPACA_BROKER_SECRET: 'Lm3Nb7Vc1Xz5Qw9Er2Ty6Ui0Op4As8Df3Gh7Jk1',
  ALPACA_FIRM_ACCOUNT_ID: '8f2e6c1a-3b5d-4e7f-9a0b-1c2d3e4f5a6b',
  OPENAI_API_KEY: 'sk-proj-Qe4Rt8Yu2Io6Pa0Sd3Fg7Hj1Kl5Zx9Cv4Bn8Mq2',
  OPENAI_BASE_URL: 'https://api.openai.com/v1',
  TEMPORAL_PAYLOAD_KEYS: '2025-06:q83vEjRWeJq83vEjRWeJq83vEjRWeJq83vEjRWeJq80=',
  WEBHOOK_SECRET_KEYS: '2025-06:w9rT5wXy7bC4dF6gH9jK3mP1sL0eQz8vN2rT5wXy7bA=',
};
