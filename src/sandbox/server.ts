import http from 'node:http';
import type { AddressInfo } from 'node:net';
import express, { type ErrorRequestHandler } from 'express';
import { configSchema } from '../config.js';
import { createLogger, type Logger } from '../logger.js';
import { AlpacaBrokerSim } from './alpaca-broker.js';
import { AlpacaLedger } from './alpaca-common.js';
import { AlpacaTradingSim } from './alpaca-trading.js';
import { EntitySecretVault, NotificationSigner } from './circle-common.js';
import { CircleMintSim, type ChainTransaction } from './circle-mint.js';
import { CircleWalletsSim } from './circle-wallets.js';
import { controlRouter } from './control.js';
import { OpenAiSim } from './openai.js';
import { SandboxState, type SandboxCredentials } from './state.js';
import { WebhookSender } from './webhooks.js';

// One HTTP server on one port that answers as Circle (Programmable Wallets and Mint), Alpaca (Trading and
// Broker) and OpenAI for the paths fundflow uses, plus the control API under /sandbox. The official SDKs talk
// to it unchanged: only their base URLs point here.

export interface SandboxOptions {
  host?: string;
  /** 0 (the default) takes a free port. */
  port?: number;
  /** Where Circle webhooks go; settable later with setWebhookUrl or PUT /sandbox/settings. */
  webhookUrl?: string;
  /** The entity secret (hex) ciphertexts must decrypt to; default: the config default. */
  circleEntitySecret?: string;
  logger?: Logger;
  /** Credentials the simulated providers accept; default: the config defaults. */
  credentials?: Partial<SandboxCredentials>;
  /** The Broker API firm account that journals fund from; default: the config default. */
  firmAccountId?: string;
  /** Delay between two states of a transfer/payout/journal (default 40 ms: a transfer completes in ~200 ms). */
  stepDelayMs?: number;
  /** How long a `timeout` fault holds the answer (default 5000 ms). */
  timeoutHoldMs?: number;
  webhookRetryDelaysMs?: number[];
}

export interface Sandbox {
  /** e.g. http://127.0.0.1:41234 */
  url: string;
  state: SandboxState;
  setWebhookUrl(url: string | undefined): void;
  stop(): Promise<void>;
}

export async function startSandbox(opts: SandboxOptions = {}): Promise<Sandbox> {
  const defaults = configSchema.parse({});
  const logger = opts.logger ?? createLogger('silent', 'sandbox');
  const state = new SandboxState(
    {
      credentials: {
        circleApiKey: defaults.CIRCLE_API_KEY,
        alpacaKeyId: defaults.ALPACA_KEY_ID,
        alpacaSecretKey: defaults.ALPACA_SECRET_KEY,
        alpacaBrokerKey: defaults.ALPACA_BROKER_KEY,
        alpacaBrokerSecret: defaults.ALPACA_BROKER_SECRET,
        openaiApiKey: defaults.OPENAI_API_KEY,
        ...opts.credentials,
      },
      circleEntitySecret: opts.circleEntitySecret ?? defaults.CIRCLE_ENTITY_SECRET,
      webhookUrl: opts.webhookUrl,
      stepDelayMs: opts.stepDelayMs ?? 40,
      timeoutHoldMs: opts.timeoutHoldMs ?? 5_000,
      webhookRetryDelaysMs: opts.webhookRetryDelaysMs ?? [200, 1_000, 5_000],
    },
    logger,
  );

  const signer = new NotificationSigner();
  // Circle's two products share one chain: Mint's transfers arrive as inbound W3S transfers, and Mint watches
  // W3S transactions (USDC reaching its deposit addresses, its own transfers landing) through the notifications
  // the wallets sim sends on every state change.
  let mint: CircleMintSim | undefined;
  const webhooks = new ChainWatchingWebhooks(state, signer, (tx) => mint?.observeTransaction(tx));
  const wallets = new CircleWalletsSim(state, new EntitySecretVault(state.settings.circleEntitySecret), signer, webhooks);
  const ledger = new AlpacaLedger(opts.firmAccountId ?? defaults.ALPACA_FIRM_ACCOUNT_ID);
  state.onReset(() => ledger.reset());
  // The firm's bank, where Mint's payouts land and the on-ramp's wires leave from, is the Alpaca firm account:
  // the sandbox's stand-in for the bank that wires between Circle and Alpaca, so both sides add up.
  mint = new CircleMintSim(
    state,
    { deliver: ({ blockchains, toAddress, amount }) => wallets.recordInbound({ blockchains, toAddress, amount }) },
    {
      receive: (amount) => {
        ledger.firmCash = ledger.firmCash.plus(amount);
      },
      send: (amount) => {
        if (ledger.firmCash.lt(amount)) return false;
        ledger.firmCash = ledger.firmCash.minus(amount);
        return true;
      },
    },
  );
  const trading = new AlpacaTradingSim(state, ledger);
  const broker = new AlpacaBrokerSim(state, ledger);
  const openai = new OpenAiSim(state);

  const app = express();
  app.disable('x-powered-by');
  app.use((req, _res, next) => {
    logger.debug({ method: req.method, path: req.path }, 'sandbox request');
    next();
  });
  app.use(express.json({ limit: '1mb' }));
  app.use(controlRouter({ state, wallets, webhooks, ledger, mint }));
  // Circle first: its /v2/notifications path shares the /v2 prefix with Alpaca's Trading API.
  app.use(wallets.router());
  app.use(mint.router());
  app.use(trading.router());
  app.use(broker.router());
  app.use(openai.router());
  app.use((req, res) => void res.status(404).json({ code: 404, message: `no sandbox route for ${req.method} ${req.path}` }));
  const onError: ErrorRequestHandler = (error: { status?: number; type?: string }, _req, res, _next) => {
    const status = error.status && error.status < 500 ? error.status : 500;
    res
      .status(status)
      .json({ code: status === 400 ? 2 : -1, message: error.type === 'entity.parse.failed' ? 'Malformed JSON.' : 'Something went wrong.' });
  };
  app.use(onError);

  const server = http.createServer(app);
  // Idle keep-alive connections are closed by the clients (Node's fetch after 4 s), never by the sandbox first:
  // a server closing one just as a client reuses it fails that request with "other side closed" (seen in chaos).
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, opts.host ?? '127.0.0.1', () => resolve());
  });
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  const url = `http://${host === '0.0.0.0' ? '127.0.0.1' : host}:${address.port}`;
  logger.info({ url }, 'sandbox listening');

  return {
    url,
    state,
    setWebhookUrl(webhookUrl) {
      state.settings.webhookUrl = webhookUrl;
    },
    async stop() {
      state.cancelTimers();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** The webhook sender that also tells Mint of every W3S transaction state it announces. */
class ChainWatchingWebhooks extends WebhookSender {
  constructor(
    state: SandboxState,
    signer: NotificationSigner,
    private readonly watch: (tx: ChainTransaction) => void,
  ) {
    super(state, signer);
  }

  override notifyTransaction(transaction: Parameters<WebhookSender['notifyTransaction']>[0]): void {
    super.notifyTransaction(transaction);
    this.watch({ ...(transaction as ChainTransaction) });
  }
}
