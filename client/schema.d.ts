// Generated from /openapi.json by openapi-typescript: do not edit. Regenerate with `npm run client:generate`.

export interface paths {
    "/healthz": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Liveness
         * @description Answers 200 while the process runs and checks nothing else (GET /readyz checks the dependencies). No token.
         */
        get: operations["checkLiveness"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/readyz": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Readiness: 200 only when PostgreSQL and Temporal answer
         * @description 200 when PostgreSQL and Temporal both answer, 503 otherwise, so a load balancer takes the process out of rotation. No token.
         */
        get: operations["checkReadiness"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/openapi.json": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * This OpenAPI 3.1 document
         * @description Generated from the zod schemas that validate requests and shape responses; the typed client in client/ is generated from it. No token.
         */
        get: operations["getOpenApiDocument"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/docs": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * A browsable reference page of this API
         * @description Swagger UI over this OpenAPI document, served by the API itself (its page, script and style). No token.
         */
        get: operations["getApiReference"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/webhooks/circle": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Circle notifications (X-Circle-Signature over the raw body)
         * @description An inbound transfer to a user wallet reports its transaction to the deposit saga (started, joined, or started again when a transfer joins an ended deposit); the saga reads the transfers from Circle. Answers fast.
         */
        post: operations["receiveCircleNotification"];
        delete?: never;
        options?: never;
        /**
         * Circle checks a subscription endpoint with HEAD before it delivers
         * @description Answers 200 so that Circle accepts the endpoint when a subscription is created; no token, no effect.
         */
        head: operations["checkCircleWebhook"];
        patch?: never;
        trace?: never;
    };
    "/v1/me": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * The caller: user, KYC status, balances, wallets
         * @description The caller's user with its KYC status, whether a passcode is set, balances and wallets. 404 until PUT /v1/me has created the user.
         */
        get: operations["getMe"];
        /**
         * Create or update the caller's user
         * @description The first call creates the user (sub = auth_provider_id) and its balance. An email or phone number that belongs to another user is not stored and not reported (the answer does not say who our customers are).
         */
        put: operations["upsertMe"];
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/me/passcode": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        /**
         * Set the caller's 6-digit passcode (stored only as an argon2id hash)
         * @description Changing an existing passcode needs the current one (counted against the passcode lockout: 429 with Retry-After when locked) and holds withdrawals for PASSCODE_CHANGE_HOLD_HOURS (24 by default); the first passcode holds nothing.
         */
        put: operations["setPasscode"];
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/me/kyc": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Submit the caller for KYC
         * @description Starts (or joins) the KYC saga; the decision arrives by the operator route or a provider webhook.
         */
        post: operations["submitKyc"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/admin/users/{userId}/kyc-decision": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Operator: decide a user's pending KYC
         * @description Delivers the approval or the rejection (with its reason) to the user's KYC saga; an approval creates the user's balance row if it is missing. Recorded in the operator audit log.
         */
        post: operations["decideKyc"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/wallets": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * The caller's wallets with their deposit addresses
         * @description Every wallet of the caller, at most one per chain, with its status and the address to send USDC to.
         */
        get: operations["listWallets"];
        put?: never;
        /**
         * Provision the caller's deposit wallet on a chain (KYC approved only)
         * @description Needs an approved KYC (403). Starts the wallet saga of the chain: the wallet is created at Circle and becomes active once Circle reports it live. A chain that already has a wallet answers 200 with it and starts nothing.
         */
        post: operations["createWallet"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/deposits": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * The caller's deposits, newest first
         * @description Every deposit of the caller with its status (the deposit saga's step). Pass nextCursor back as cursor for the next page.
         */
        get: operations["listDeposits"];
        put?: never;
        /**
         * Report a USDC transfer the caller sent to their wallet
         * @description Starts (or finds) the deposit saga; the same chain and txHash always answer the same deposit. Only a user with an approved KYC (403 otherwise) and a wallet on that chain (404 otherwise) may start one.
         */
        post: operations["reportDeposit"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/deposits/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * One of the caller’s deposits: status, amounts, step timestamps, failureReason
         * @description A deposit of another user, an unknown id and a malformed one are all 404.
         */
        get: operations["getDeposit"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/withdrawals": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * The caller's withdrawals, newest first
         * @description Every withdrawal of the caller with its status (the withdrawal saga's step). Pass nextCursor back as cursor for the next page.
         */
        get: operations["listWithdrawals"];
        put?: never;
        /**
         * Withdraw USD from buying power to USDC at an address on chain
         * @description Needs the passcode and an approved KYC; the amount is reserved from buying power at once. Honours Idempotency-Key: a repeat with the same key and body answers the same withdrawal and starts nothing. Wrong passcodes back off and then lock the user out (429 with Retry-After); a passcode change holds withdrawals for a day (403). The amount must be at least WITHDRAWAL_MIN_USD and keep the day within WITHDRAWAL_DAILY_LIMIT_USD (422); the zero address, token contracts, Solana programs and off-curve addresses, and our own wallets are refused (400).
         */
        post: operations["createWithdrawal"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/withdrawals/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * One of the caller’s withdrawals: status, refs, txHash, failureReason
         * @description A withdrawal of another user, an unknown id and a malformed one are all 404.
         */
        get: operations["getWithdrawal"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/balances": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * The caller's buying power and deposits on their way to the broker
         * @description buyingPowerUsd is what orders and withdrawals can spend (reservations already taken out); pendingBrokerDepositsUsd counts deposits confirmed on chain and not yet at the broker.
         */
        get: operations["getBalances"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/summaries": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * The caller's weekly AI summaries, newest week first
         * @description One summary per ISO week, written by the weekly-ai-summary schedule. Pass nextCursor back as cursor for the next page.
         */
        get: operations["listSummaries"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/admin/summaries/run": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Operator: summarise one week now
         * @description Starts the weekly summary run for the week (every active user with activity gets one summary). While that week is running, a repeat answers the same run; afterwards it summarises only who is still missing.
         */
        post: operations["runWeeklySummaries"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/events": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * The caller's events, oldest first, after a cursor
         * @description Not in API.md. Every status change of the caller's deposits, withdrawals, orders and wallets, their KYC steps and weekly summaries, as delivered by webhooks (`deposit.broker_funded`, ...), recorded in the same transaction as the change. Follow nextCursor to read on; `sequence` orders the events of one resource.
         */
        get: operations["listEvents"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/baskets": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * The active baskets with their composition and risk level
         * @description Each active basket with its symbols and weights; a basket order splits its amount by these weights into one leg per symbol.
         */
        get: operations["listBaskets"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/orders": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * The caller's orders, newest first
         * @description Every order of the caller with its status (the order saga's step). Pass nextCursor back as cursor for the next page.
         */
        get: operations["listOrders"];
        put?: never;
        /**
         * Buy or sell a basket, a stock, an ETF or an option
         * @description A buy reserves amountUsd from buying power at once (422 when it does not cover it); a sell, given as amountUsd or (stock, ETF) as a quantity of shares, holds the quantity it may sell out of the position at once (422 when the position does not cover it at the broker's current price). Honours Idempotency-Key: a repeat with the same key and body answers the same order and starts nothing; the same key with another body is 409.
         */
        post: operations["createOrder"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/orders/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * One of the caller’s orders: status, filled amount, per-symbol legs
         * @description An order of another user, an unknown id and a malformed one are all 404.
         */
        get: operations["getOrder"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/orders/{id}/cancel": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Cancel what has not filled yet
         * @description Asks the order saga to cancel the legs still open at the broker; the order ends canceled with the unfilled remainder back in buying power (poll GET /v1/orders/{id}). 409 once the order is filled, failed or canceled.
         */
        post: operations["cancelOrder"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/positions": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * The caller's positions
         * @description Per symbol: the quantity held, the average price and the value at the latest fill price, as the order saga updates them on each fill.
         */
        get: operations["listPositions"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/admin/workflows": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Operator: runs by kind, status and whether they wait for an operator
         * @description From Temporal visibility (FundflowKind, FundflowStatus, FundflowNeedsOperator, FundflowUserId) in its order (open runs first, then the most recently closed), each with a link to its history in the Temporal UI. Pass nextPageToken back as pageToken.
         */
        get: operations["listWorkflowRuns"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/admin/deposits/{id}/retry": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Operator: run the failed step of a parked deposit again
         * @description Resumes a saga parked after a step failed for good (FundflowNeedsOperator=true). 409 when the run is not parked.
         */
        post: operations["retryParkedDeposit"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/admin/deposits/{id}/abort": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Operator: give up a parked deposit (extension): compensate and end it failed
         * @description Not in API.md. The saga compensates what the parked step had done and ends `failed` with the reason. 409 when the run is not parked, or when the parked step's money movement exists at the provider (or cannot be ruled out): the detail says why, and a retry is the way on.
         */
        post: operations["abortParkedDeposit"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/admin/withdrawals/{id}/retry": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Operator: run the failed step of a parked withdrawal again
         * @description Resumes a saga parked after a step failed for good (FundflowNeedsOperator=true). 409 when the run is not parked.
         */
        post: operations["retryParkedWithdrawal"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/admin/withdrawals/{id}/abort": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Operator: give up a parked withdrawal (extension): compensate and end it failed
         * @description Not in API.md. The saga compensates what the parked step had done and ends `failed` with the reason. 409 when the run is not parked, or when the parked step's money movement exists at the provider (or cannot be ruled out): the detail says why, and a retry is the way on.
         */
        post: operations["abortParkedWithdrawal"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/admin/orders/{id}/retry": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Operator: run the failed step of a parked order again
         * @description Resumes a saga parked after a step failed for good (FundflowNeedsOperator=true). 409 when the run is not parked.
         */
        post: operations["retryParkedOrder"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/admin/orders/{id}/abort": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Operator: give up a parked order (extension): compensate and end it failed
         * @description Not in API.md. The saga compensates what the parked step had done and ends `failed` with the reason. 409 when the run is not parked, or when the parked step's money movement exists at the provider (or cannot be ruled out): the detail says why, and a retry is the way on.
         */
        post: operations["abortParkedOrder"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/admin/audit": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Operator (extension): the operator audit log, newest first
         * @description Not in API.md. One entry per operator action (KYC decision, retry, abort, summary run) with the operator's token subject, the target and the outcome: `accepted`, `refused` with the reason the API or the saga gave (e.g. an abort refused with 409), or `failed` (our error; the effect is unknown). Append-only: the database refuses to change or remove an entry. Pass nextCursor back as cursor.
         */
        get: operations["listOperatorAudit"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/admin/inbound-transfers": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Operator (extension): every inbound transfer to a user wallet and what became of it, newest first
         * @description Not in API.md. One row per Circle transfer: `deposit` (the transfer its transaction's deposit row was made from), `held` (USDC that could not be that row, e.g. a second transfer in one transaction: for an operator to credit), `ignored` (not USDC: another token, the native coin, a token that only calls itself USDC; never credited), with the reason. Pass nextCursor back as cursor.
         */
        get: operations["listInboundTransfers"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/admin/reconciliation/breaks": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Operator (extension): breaks the reconciliation against the providers found, newest first
         * @description Not in API.md. One entry per break (a firm account whose provider balance differs from the ledger, a projection that differs from the ledger, a deposit or withdrawal whose provider movements do not add up, an order fill or position the broker does not hold, an effect at a provider that fundflow never recorded). A break stays open until resolved; a run that finds an open break again updates it. Pass nextCursor back as cursor.
         */
        get: operations["listReconciliationBreaks"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/admin/reconciliation/breaks/{id}/resolve": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Operator (extension): resolve an open reconciliation break with a note
         * @description Not in API.md. Closes the break with the operator and the note saying why (explained, corrected). A later run that still finds the same difference opens a new break. 409 when it is resolved already.
         */
        post: operations["resolveReconciliationBreak"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/admin/webhooks/endpoints": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Operator (extension): the webhook endpoints, newest first
         * @description Not in API.md. Without their secrets. Pass nextCursor back as cursor.
         */
        get: operations["listWebhookEndpoints"];
        put?: never;
        /**
         * Operator (extension): register an endpoint that receives signed events
         * @description Not in API.md. Events (`deposit.broker_funded`, `order.filled`, `kyc.approved`, `summary.created`, ...) that happen from now on are POSTed to the URL per the Standard Webhooks specification (headers webhook-id = the event id, webhook-timestamp, webhook-signature), in order per resource, retried with exponential backoff for WEBHOOK_RETRY_HOURS. The answer carries the signing secret: it is shown only once.
         */
        post: operations["createWebhookEndpoint"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/admin/webhooks/endpoints/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Operator (extension): one webhook endpoint
         * @description Not in API.md. Without its secret.
         */
        get: operations["getWebhookEndpoint"];
        put?: never;
        post?: never;
        /**
         * Operator (extension): delete a webhook endpoint and its delivery log
         * @description Not in API.md. Nothing more is sent to it; the events themselves stay (GET /v1/events).
         */
        delete: operations["deleteWebhookEndpoint"];
        options?: never;
        head?: never;
        /**
         * Operator (extension): change, disable or enable a webhook endpoint
         * @description Not in API.md. A disabled endpoint gets no attempts; its deliveries wait and go out, in order, once it is enabled again. A changed event type filter applies to events from then on.
         */
        patch: operations["updateWebhookEndpoint"];
        trace?: never;
    };
    "/v1/admin/webhooks/endpoints/{id}/deliveries": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Operator (extension): an endpoint's delivery log, newest first
         * @description Not in API.md. One entry per event sent (or to be sent) to the endpoint, with every attempt: status code, latency, error. `pending` is still being tried, `failed` ran out of retries (replay it). Pass nextCursor back as cursor.
         */
        get: operations["listWebhookDeliveries"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/admin/webhooks/endpoints/{id}/deliveries/{deliveryId}/replay": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Operator (extension): send a delivery again
         * @description Not in API.md. A new attempt of the same event (same webhook-id, so a receiver that saw it already can tell), whatever became of the earlier ones; it goes out in its resource's order like any pending delivery. 409 while the delivery is still pending.
         */
        post: operations["replayWebhookDelivery"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/admin/deposits/{id}/timeline": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Operator (extension): everything that happened to one deposit, oldest first
         * @description Not in API.md. One list ordered by time: every status change (from the events outbox), the ledger transactions booked for it with their postings, the provider calls made for it (provider_movements), and the operators' actions on it (audit log); beside it, every provider reference (Circle transfer and payout ids, Alpaca journal and order ids, the transaction hash) from its rows and the call log, and a link to its run in the Temporal Web UI. Also as a page for a browser: /admin/deposits/{id}/timeline.
         */
        get: operations["getDepositTimeline"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/admin/withdrawals/{id}/timeline": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Operator (extension): everything that happened to one withdrawal, oldest first
         * @description Not in API.md. One list ordered by time: every status change (from the events outbox), the ledger transactions booked for it with their postings, the provider calls made for it (provider_movements), and the operators' actions on it (audit log); beside it, every provider reference (Circle transfer and payout ids, Alpaca journal and order ids, the transaction hash) from its rows and the call log, and a link to its run in the Temporal Web UI. Also as a page for a browser: /admin/withdrawals/{id}/timeline.
         */
        get: operations["getWithdrawalTimeline"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/admin/orders/{id}/timeline": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Operator (extension): everything that happened to one order, oldest first
         * @description Not in API.md. One list ordered by time: every status change (from the events outbox), the ledger transactions booked for it with their postings, the provider calls made for it (provider_movements), and the operators' actions on it (audit log); beside it, every provider reference (Circle transfer and payout ids, Alpaca journal and order ids, the transaction hash) from its rows and the call log, and a link to its run in the Temporal Web UI. Also as a page for a browser: /admin/orders/{id}/timeline.
         */
        get: operations["getOrderTimeline"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
}
export type webhooks = Record<string, never>;
export interface components {
    schemas: {
        /** @description RFC 9457 problem details (application/problem+json) */
        Problem: {
            type: string;
            title: string;
            status: number;
            detail: string;
            errors?: {
                path: string;
                message: string;
            }[];
        };
        Me: {
            user: components["schemas"]["User"];
            /** @enum {string} */
            kycStatus: "not_started" | "pending" | "approved" | "rejected";
            balances: components["schemas"]["Balance"];
            wallets: components["schemas"]["Wallet"][];
        };
        User: {
            id: string;
            email: string | null;
            phoneNumber: string | null;
            /** @enum {string} */
            kycStatus: "not_started" | "pending" | "approved" | "rejected";
            hasPasscode: boolean;
            /** Format: date-time */
            createdAt: string;
            /** Format: date-time */
            updatedAt: string;
        };
        Balance: {
            /**
             * @description USD, 2 decimals
             * @example 125.50
             */
            buyingPowerUsd: string;
            /**
             * @description USD, 2 decimals
             * @example 125.50
             */
            pendingBrokerDepositsUsd: string;
            /** Format: date-time */
            updatedAt: string;
        } | null;
        Wallet: {
            id: string;
            /** @enum {string} */
            chain: "ethereum" | "solana";
            address: string;
            /** @enum {string} */
            status: "creating" | "active" | "inactive";
            /** Format: date-time */
            createdAt: string;
            /** Format: date-time */
            updatedAt: string;
        };
        Deposit: {
            id: string;
            walletId: string;
            /** @enum {string} */
            chain: "ethereum" | "solana";
            txHash: string;
            /** @enum {string} */
            token: "USDC";
            /**
             * @description USDC, up to 18 decimals
             * @example 10.5
             */
            amountStablecoin: string;
            /** @enum {string} */
            status: "pending_confirmation" | "confirmed_on_chain" | "off_ramp_initiated" | "off_ramp_complete" | "broker_funded" | "failed";
            /** Format: date-time */
            confirmedAt: string | null;
            /** Format: date-time */
            offRampInitiatedAt: string | null;
            /** Format: date-time */
            offRampCompletedAt: string | null;
            /** Format: date-time */
            brokerFundedAt: string | null;
            failureReason: string | null;
            /** Format: date-time */
            createdAt: string;
            /** Format: date-time */
            updatedAt: string;
        };
        Withdrawal: {
            id: string;
            /**
             * @description USD, 2 decimals
             * @example 125.50
             */
            amountUsd: string;
            /** @enum {string} */
            targetChain: "ethereum" | "solana";
            targetAddress: string;
            /** @enum {string} */
            status: "pending" | "broker_withdrawal_initiated" | "broker_withdrawal_complete" | "on_ramp_initiated" | "on_ramp_complete" | "transfer_initiated" | "complete" | "failed";
            brokerWithdrawalRef: string | null;
            circleOnRampRef: string | null;
            circleTransferRef: string | null;
            txHash: string | null;
            failureReason: string | null;
            /** Format: date-time */
            createdAt: string;
            /** Format: date-time */
            updatedAt: string;
        };
        Summary: {
            id: string;
            /**
             * Format: date
             * @description The Monday (UTC) the summarised ISO week starts on
             */
            weekStartDate: string;
            summaryMarkdown: string;
            /** Format: date-time */
            generatedAt: string;
        };
        SummaryRun: {
            workflowId: string;
            /** Format: date */
            weekStartDate: string;
        };
        EventPage: {
            items: components["schemas"]["Event"][];
            /** @description Pass it back as `after`, now or later: it stays where this page ended (your `after` when nothing new came). Null only before the first event. */
            nextCursor: string | null;
        };
        Event: {
            /** @description The same id as the webhook-id header of its webhook deliveries */
            id: string;
            /** @example deposit.broker_funded */
            type: string;
            /** @enum {string} */
            resourceType: "deposit" | "withdrawal" | "order" | "wallet" | "kyc" | "summary";
            /** @description The row (for kyc: the user) */
            resourceId: string;
            /** @description The event's place among its resource's events (1, 2, ...) */
            sequence: number;
            /** @description The resource as it was after the change; money as decimal strings */
            data: {
                [key: string]: unknown;
            };
            /** Format: date-time */
            createdAt: string;
        };
        Basket: {
            id: string;
            name: string;
            description: string | null;
            /** @enum {string|null} */
            riskLevel: "conservative" | "balanced" | "growth" | null;
            composition: {
                symbol: string;
                /** @example 0.6 */
                weight: number;
            }[];
        };
        Order: {
            id: string;
            /** @enum {string} */
            assetType: "basket" | "stock" | "etf" | "option";
            /** @enum {string} */
            side: "buy" | "sell";
            /**
             * @description USD to spend or sell; for options the premium; for a sell given by quantity its value at the price when accepted
             * @example 100.00
             */
            amountUsd: string;
            /** @enum {string} */
            status: "pending" | "accepted_by_broker" | "partially_filled" | "filled" | "failed" | "canceled";
            basketId: string | null;
            /** @description The symbol of a stock, ETF or option order */
            symbol: string | null;
            optionDetails: {
                occSymbol: string;
                quantity: number;
                limitPrice: string;
            } | null;
            filledAmountUsd: string;
            legs: {
                symbol: string;
                /** @enum {string} */
                status: "pending" | "accepted_by_broker" | "partially_filled" | "filled" | "failed" | "canceled";
                notionalUsd: string | null;
                quantity: string | null;
                filledQuantity: string;
                /** @description A sell leg: the quantity taken out of the position at accept (what it may sell) */
                heldQuantity: string;
                filledAmountUsd: string;
                filledAvgPrice: string | null;
            }[];
            failureReason: string | null;
            /** Format: date-time */
            createdAt: string;
            /** Format: date-time */
            updatedAt: string;
        };
        Position: {
            symbol: string;
            /** @enum {string} */
            assetType: "basket" | "stock" | "etf" | "option";
            /**
             * @description Shares, or contracts for options
             * @example 0.486026731
             */
            quantity: string;
            /** @description USD per share */
            averagePrice: string | null;
            /**
             * @description At the latest fill price
             * @example 60.00
             */
            marketValueUsd: string | null;
            /** Format: date-time */
            lastUpdatedAt: string;
        };
        WorkflowRunPage: {
            items: components["schemas"]["WorkflowRun"][];
            nextPageToken: string | null;
        };
        WorkflowRun: {
            workflowId: string;
            runId: string;
            type: string;
            /** @enum {string|null} */
            kind: "kyc" | "wallet" | "deposit" | "withdrawal" | "order" | "summary" | null;
            /** @description FundflowStatus: the schema enum value of the row */
            status: string | null;
            userId: string | null;
            needsOperator: boolean;
            /** Format: date-time */
            startTime: string;
            /** Format: date-time */
            closeTime?: string;
            /**
             * @description Temporal's execution status
             * @example RUNNING
             */
            executionStatus: string;
            /** Format: uri */
            temporalUiUrl: string;
        };
        OperatorDecision: {
            workflowId: string;
            runId: string;
            /** @description The row status the run was parked at */
            status: string;
            /** @description The step the saga took the decision for */
            step: string;
            /**
             * @description What the saga does: runs the step again, or compensates and ends failed
             * @enum {string}
             */
            action: "retry" | "abort";
        };
        OperatorAuditPage: {
            items: components["schemas"]["OperatorAuditEntry"][];
            nextCursor: string | null;
        };
        OperatorAuditEntry: {
            id: string;
            /** @description The operator token's `sub` */
            operatorSubject: string;
            /** @enum {string} */
            action: "kyc_decision" | "retry" | "abort" | "summary_run" | "reconciliation_resolve" | "webhook_endpoint_create" | "webhook_endpoint_update" | "webhook_endpoint_delete" | "webhook_replay";
            /** @enum {string} */
            targetKind: "user" | "deposit" | "withdrawal" | "order" | "summary_week" | "reconciliation_break" | "webhook_endpoint" | "webhook_delivery";
            /** @description The id as the operator sent it (a week: its Monday, YYYY-MM-DD) */
            targetId: string;
            /**
             * @description accepted: delivered; refused: the API or the saga said no (reason); failed: our error, effect unknown
             * @enum {string}
             */
            outcome: "accepted" | "refused" | "failed";
            reason: string | null;
            /** @description What was asked beyond the target: decision, note */
            details: {
                [key: string]: unknown;
            };
            /** Format: date-time */
            createdAt: string;
        };
        InboundTransferPage: {
            items: components["schemas"]["InboundTransfer"][];
            nextCursor: string | null;
        };
        InboundTransfer: {
            circleTransferId: string;
            /** @enum {string} */
            chain: "ethereum" | "solana";
            txHash: string;
            walletId: string;
            userId: string;
            /** @description Circle's token id */
            tokenId: string;
            /** @description Contract / mint address; null for the native coin */
            tokenAddress: string | null;
            /** @description As the token names itself: proves nothing */
            tokenSymbol: string | null;
            /**
             * @description In the token's units
             * @example 25.5
             */
            amount: string;
            /** @enum {string} */
            disposition: "deposit" | "held" | "ignored";
            reason: string | null;
            depositId: string | null;
            /** Format: date-time */
            createdAt: string;
        };
        ReconciliationBreakPage: {
            items: components["schemas"]["ReconciliationBreak"][];
            nextCursor: string | null;
        };
        ReconciliationBreak: {
            id: string;
            /**
             * @description Which comparison found it
             * @enum {string}
             */
            check: "firm_balance" | "projection" | "deposit" | "withdrawal" | "order_fill" | "position" | "unrecorded_effect" | "missing_at_provider";
            /**
             * @description The ledger account and asset, or the movement
             * @example circle:mint USDC
             */
            subject: string;
            /** @description What our books say */
            expected: string;
            /** @description What the provider (or the projected table) says */
            found: string;
            /** @enum {string} */
            status: "open" | "resolved";
            /** Format: date-time */
            firstSeenAt: string;
            /**
             * Format: date-time
             * @description The last run that found it (open breaks only move on)
             */
            lastSeenAt: string;
            /** Format: date-time */
            resolvedAt: string | null;
            /** @description The resolving operator token's `sub` */
            resolvedBy: string | null;
            resolutionNote: string | null;
        };
        WebhookEndpointCreated: {
            id: string;
            url: string;
            description: string | null;
            eventTypes: string[];
            enabled: boolean;
            /** @description The creating operator token's `sub` */
            createdBy: string;
            /** Format: date-time */
            createdAt: string;
            /** Format: date-time */
            updatedAt: string;
            /** @description The signing secret (Standard Webhooks, `whsec_` + base64): shown only in this answer; verify deliveries with it */
            secret: string;
        };
        WebhookEndpointPage: {
            items: components["schemas"]["WebhookEndpoint"][];
            nextCursor: string | null;
        };
        WebhookEndpoint: {
            id: string;
            url: string;
            description: string | null;
            eventTypes: string[];
            enabled: boolean;
            /** @description The creating operator token's `sub` */
            createdBy: string;
            /** Format: date-time */
            createdAt: string;
            /** Format: date-time */
            updatedAt: string;
        };
        WebhookDeliveryPage: {
            items: components["schemas"]["WebhookDelivery"][];
            nextCursor: string | null;
        };
        WebhookDelivery: {
            id: string;
            endpointId: string;
            /** @description The webhook-id header of every attempt, replays included */
            eventId: string;
            eventType: string;
            resourceType: string;
            resourceId: string;
            /** @description The event's place among its resource's events (1, 2, ...) */
            sequence: number;
            /** @enum {string} */
            status: "pending" | "delivered" | "failed";
            attemptCount: number;
            /** Format: date-time */
            lastAttemptAt: string | null;
            /** Format: date-time */
            deliveredAt: string | null;
            /** Format: date-time */
            createdAt: string;
            /** @description Every attempt, oldest first */
            attempts: components["schemas"]["WebhookDeliveryAttempt"][];
        };
        WebhookDeliveryAttempt: {
            /** Format: date-time */
            attemptedAt: string;
            /** @description The receiver's HTTP status; null when none came */
            statusCode: number | null;
            latencyMs: number;
            error: string | null;
            succeeded: boolean;
        };
        MovementTimeline: {
            movement: {
                /** @enum {string} */
                kind: "deposit" | "withdrawal" | "order";
                id: string;
                userId: string;
                status: string;
                failureReason: string | null;
                /** Format: date-time */
                createdAt: string;
            };
            temporal: {
                workflowId: string;
                /** @description The latest run; null when Temporal does not know it (any more) */
                runId: string | null;
                /** @example COMPLETED */
                executionStatus: string | null;
                /**
                 * Format: uri
                 * @description The run's history in the Temporal Web UI (or its workflow id's runs)
                 */
                temporalUiUrl: string;
            };
            providerReferences: components["schemas"]["TimelineProviderReference"][];
            /** @description Oldest first */
            entries: components["schemas"]["TimelineEntry"][];
        };
        TimelineProviderReference: {
            /**
             * @description `chain` for the transaction hash
             * @example alpaca
             */
            provider: string;
            /** @example broker_fund */
            kind: string;
            reference: string;
            /** @description An order leg's symbol */
            symbol?: string;
            /** @description Where fundflow has it: the movement's row(s), the provider call log, Circle's inbound transfer */
            sources: ("row" | "provider_movements" | "inbound_transfers")[];
        };
        TimelineEntry: components["schemas"]["TimelineStatusChange"] | components["schemas"]["TimelineLedgerTransaction"] | components["schemas"]["TimelineProviderCall"] | components["schemas"]["TimelineOperatorAction"];
        TimelineStatusChange: {
            /**
             * @description discriminator enum property added by openapi-typescript
             * @enum {string}
             */
            type: "status_change";
            /**
             * Format: date-time
             * @description When it happened (the writing transaction's time for rows)
             */
            at: string;
            /** @description The schema enum value the movement changed to */
            status: string;
            /** @example deposit.broker_funded */
            eventType: string;
            /** @description The event (GET /v1/events, webhook-id of its deliveries) */
            eventId: string;
            sequence: number;
        };
        TimelineLedgerTransaction: {
            /**
             * @description discriminator enum property added by openapi-typescript
             * @enum {string}
             */
            type: "ledger_transaction";
            /**
             * Format: date-time
             * @description When it happened (the writing transaction's time for rows)
             */
            at: string;
            /** @description ledger_transactions.id */
            transactionId: string;
            /**
             * @description The step that booked it; unique per movement
             * @example confirmed
             */
            kind: string;
            /** @example deposit:6f1c1d2e-… */
            reference: string;
            postings: components["schemas"]["TimelineLedgerPosting"][];
        };
        TimelineLedgerPosting: {
            /** @example user:buying_power */
            account: string;
            /** @example USD */
            asset: string;
            /**
             * @description Signed: what the account received (positive) or gave (negative); USD with 2 decimals where whole cents
             * @example 25.50
             */
            amount: string;
            userId: string | null;
        };
        TimelineProviderCall: {
            /**
             * @description discriminator enum property added by openapi-typescript
             * @enum {string}
             */
            type: "provider_call";
            /**
             * Format: date-time
             * @description When the provider's answer was first recorded
             */
            at: string;
            /** @example circle-mint */
            provider: string;
            /** @example off_ramp */
            kind: string;
            /** @description The provider's id of what it did (payout, journal, transfer, order) */
            providerId: string;
            /** @description Ours: <workflowId>:<step>, or an order leg's client_order_id */
            idempotencyKey: string;
            /**
             * @description As sent
             * @example 25.50
             */
            amount: string;
            asset: string;
        };
        TimelineOperatorAction: {
            /**
             * @description discriminator enum property added by openapi-typescript
             * @enum {string}
             */
            type: "operator_action";
            /**
             * Format: date-time
             * @description When it happened (the writing transaction's time for rows)
             */
            at: string;
            operatorSubject: string;
            /** @example retry */
            action: string;
            /** @enum {string} */
            outcome: "accepted" | "refused" | "failed";
            reason: string | null;
            details: {
                [key: string]: unknown;
            };
        };
    };
    responses: never;
    parameters: never;
    requestBodies: never;
    headers: never;
    pathItems: never;
}
export type $defs = Record<string, never>;
export interface operations {
    checkLiveness: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The process is up */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
        };
    };
    checkReadiness: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Ready */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @enum {string} */
                        status: "ready" | "not ready";
                    };
                };
            };
            /** @description A dependency does not answer (which one: the internal listener) */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @enum {string} */
                        status: "ready" | "not ready";
                    };
                };
            };
        };
    };
    getOpenApiDocument: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The document */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
        };
    };
    getApiReference: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description HTML */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
        };
    };
    receiveCircleNotification: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    notificationId: string;
                    notificationType: string;
                    notification: {
                        [key: string]: unknown;
                    };
                };
            };
        };
        responses: {
            /** @description Received */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @enum {boolean} */
                        received: true;
                    };
                };
            };
            /** @description Problem */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Problem */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Rate limited: over one of its buckets per window: webhook deliveries per client address (RATE_LIMIT_WEBHOOK_PER_ADDRESS). Wait Retry-After seconds. */
            429: {
                headers: {
                    /** @description Seconds to wait before trying again */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Problem */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    checkCircleWebhook: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Subscribed */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description Rate limited: over one of its buckets per window: webhook deliveries per client address (RATE_LIMIT_WEBHOOK_PER_ADDRESS). Wait Retry-After seconds. */
            429: {
                headers: {
                    /** @description Seconds to wait before trying again */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    getMe: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The caller */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Me"];
                };
            };
            /** @description Problem */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Problem */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Rate limited: over one of its buckets per window: requests per client address (RATE_LIMIT_PER_ADDRESS); requests per user (RATE_LIMIT_PER_USER). Wait Retry-After seconds. */
            429: {
                headers: {
                    /** @description Seconds to wait before trying again */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    upsertMe: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    /** Format: email */
                    email?: string | null;
                    phoneNumber?: string | null;
                };
            };
        };
        responses: {
            /** @description Updated */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Me"];
                };
            };
            /** @description Created */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Me"];
                };
            };
            /** @description Problem */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Problem */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Rate limited: over one of its buckets per window: requests per client address (RATE_LIMIT_PER_ADDRESS); requests per user (RATE_LIMIT_PER_USER). Wait Retry-After seconds. */
            429: {
                headers: {
                    /** @description Seconds to wait before trying again */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    setPasscode: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    passcode: string;
                    /** @description Required once a passcode is set */
                    currentPasscode?: string;
                };
            };
        };
        responses: {
            /** @description Set */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description Problem */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Problem */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Problem */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Problem */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Problem */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Rate limited: over one of its buckets per window: requests per client address (RATE_LIMIT_PER_ADDRESS); requests per user (RATE_LIMIT_PER_USER); passcode checks per user (RATE_LIMIT_PASSCODE_CHECKS_PER_USER) (or locked out by the passcode guard). Wait Retry-After seconds. */
            429: {
                headers: {
                    /** @description Seconds to wait before trying again */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    submitKyc: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Submitted */
            202: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @enum {string} */
                        kycStatus: "not_started" | "pending" | "approved" | "rejected";
                    };
                };
            };
            /** @description Problem */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Problem */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Problem */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Rate limited: over one of its buckets per window: requests per client address (RATE_LIMIT_PER_ADDRESS); requests per user (RATE_LIMIT_PER_USER). Wait Retry-After seconds. */
            429: {
                headers: {
                    /** @description Seconds to wait before trying again */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Problem */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    decideKyc: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                userId: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    /** @enum {string} */
                    decision: "approved" | "rejected";
                    reason?: string;
                };
            };
        };
        responses: {
            /** @description Decision delivered to the KYC saga */
            202: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        userId: string;
                        /** @enum {string} */
                        decision: "approved" | "rejected";
                    };
                };
            };
            /** @description Problem */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Problem */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Problem */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Problem */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Rate limited: over one of its buckets per window: requests per client address (RATE_LIMIT_PER_ADDRESS); requests per user (RATE_LIMIT_PER_USER). Wait Retry-After seconds. */
            429: {
                headers: {
                    /** @description Seconds to wait before trying again */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    listWallets: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Wallets */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        items: components["schemas"]["Wallet"][];
                    };
                };
            };
            /** @description Problem */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Problem */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Rate limited: over one of its buckets per window: requests per client address (RATE_LIMIT_PER_ADDRESS); requests per user (RATE_LIMIT_PER_USER). Wait Retry-After seconds. */
            429: {
                headers: {
                    /** @description Seconds to wait before trying again */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    createWallet: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    /** @enum {string} */
                    chain: "ethereum" | "solana";
                };
            };
        };
        responses: {
            /** @description The wallet already exists */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Wallet"];
                };
            };
            /** @description Provisioning started */
            202: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Wallet"];
                };
            };
            /** @description Problem */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Problem */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Problem */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Problem */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Problem */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Problem */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Rate limited: over one of its buckets per window: requests per client address (RATE_LIMIT_PER_ADDRESS); requests per user (RATE_LIMIT_PER_USER). Wait Retry-After seconds. */
            429: {
                headers: {
                    /** @description Seconds to wait before trying again */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Problem */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    listDeposits: {
        parameters: {
            query?: {
                limit?: number;
                cursor?: string;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description A page of deposits */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        items: components["schemas"]["Deposit"][];
                        nextCursor: string | null;
                    };
                };
            };
            /** @description Problem */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Problem */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Problem */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Rate limited: over one of its buckets per window: requests per client address (RATE_LIMIT_PER_ADDRESS); requests per user (RATE_LIMIT_PER_USER). Wait Retry-After seconds. */
            429: {
                headers: {
                    /** @description Seconds to wait before trying again */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    reportDeposit: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    /** @enum {string} */
                    chain: "ethereum" | "solana";
                    txHash: string;
                };
            };
        };
        responses: {
            /** @description Already known */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Deposit"];
                };
            };
            /** @description Accepted */
            202: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Deposit"];
                };
            };
            /** @description Problem */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Problem */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Problem */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Problem */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Problem */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Rate limited: over one of its buckets per window: requests per client address (RATE_LIMIT_PER_ADDRESS); requests per user (RATE_LIMIT_PER_USER); deposit reports per user (RATE_LIMIT_DEPOSIT_REPORTS_PER_USER). Wait Retry-After seconds. */
            429: {
                headers: {
                    /** @description Seconds to wait before trying again */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Problem */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    getDeposit: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The deposit */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Deposit"];
                };
            };
            /** @description Problem */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Problem */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Rate limited: over one of its buckets per window: requests per client address (RATE_LIMIT_PER_ADDRESS); requests per user (RATE_LIMIT_PER_USER). Wait Retry-After seconds. */
            429: {
                headers: {
                    /** @description Seconds to wait before trying again */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    listWithdrawals: {
        parameters: {
            query?: {
                limit?: number;
                cursor?: string;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description A page of withdrawals */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        items: components["schemas"]["Withdrawal"][];
                        nextCursor: string | null;
                    };
                };
            };
            /** @description Problem */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Problem */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Problem */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Rate limited: over one of its buckets per window: requests per client address (RATE_LIMIT_PER_ADDRESS); requests per user (RATE_LIMIT_PER_USER). Wait Retry-After seconds. */
            429: {
                headers: {
                    /** @description Seconds to wait before trying again */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    createWithdrawal: {
        parameters: {
            query?: never;
            header?: {
                /** @description Makes the command safe to repeat: a repeat with the same key and body answers the first result (header Idempotent-Replayed: true) and starts nothing new; the same key with a different body is 409. 1 to 255 printable ASCII characters, e.g. a UUID; kept IDEMPOTENCY_KEY_RETENTION_HOURS (at least 24 hours). */
                "Idempotency-Key"?: string;
            };
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    /**
                     * @description USD as a decimal string, at most 2 decimals
                     * @example 125.50
                     */
                    amountUsd: string;
                    /** @enum {string} */
                    targetChain: "ethereum" | "solana";
                    targetAddress: string;
                    passcode: string;
                };
            };
        };
        responses: {
            /** @description Accepted */
            202: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Withdrawal"];
                };
            };
            /** @description Problem */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Problem */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Problem */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Problem */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Problem */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Problem */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Rate limited: over one of its buckets per window: requests per client address (RATE_LIMIT_PER_ADDRESS); requests per user (RATE_LIMIT_PER_USER); withdrawals per user (RATE_LIMIT_WITHDRAWALS_PER_USER); passcode checks per user (RATE_LIMIT_PASSCODE_CHECKS_PER_USER) (or locked out by the passcode guard). Wait Retry-After seconds. */
            429: {
                headers: {
                    /** @description Seconds to wait before trying again */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Problem */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    getWithdrawal: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The withdrawal */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Withdrawal"];
                };
            };
            /** @description Problem */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Problem */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Rate limited: over one of its buckets per window: requests per client address (RATE_LIMIT_PER_ADDRESS); requests per user (RATE_LIMIT_PER_USER). Wait Retry-After seconds. */
            429: {
                headers: {
                    /** @description Seconds to wait before trying again */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    getBalances: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Balances */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Balance"];
                };
            };
            /** @description Problem */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Problem */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Rate limited: over one of its buckets per window: requests per client address (RATE_LIMIT_PER_ADDRESS); requests per user (RATE_LIMIT_PER_USER). Wait Retry-After seconds. */
            429: {
                headers: {
                    /** @description Seconds to wait before trying again */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    listSummaries: {
        parameters: {
            query?: {
                limit?: number;
                cursor?: string;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description A page of summaries */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        items: components["schemas"]["Summary"][];
                        nextCursor: string | null;
                    };
                };
            };
            /** @description Problem */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Problem */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Problem */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Rate limited: over one of its buckets per window: requests per client address (RATE_LIMIT_PER_ADDRESS); requests per user (RATE_LIMIT_PER_USER). Wait Retry-After seconds. */
            429: {
                headers: {
                    /** @description Seconds to wait before trying again */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    runWeeklySummaries: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    /**
                     * @description Default: the last full ISO week (UTC)
                     * @example 2026-11-16
                     */
                    weekStartDate?: string;
                };
            };
        };
        responses: {
            /** @description The run of that week */
            202: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["SummaryRun"];
                };
            };
            /** @description Problem */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Problem */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Problem */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Problem */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Rate limited: over one of its buckets per window: requests per client address (RATE_LIMIT_PER_ADDRESS); requests per user (RATE_LIMIT_PER_USER). Wait Retry-After seconds. */
            429: {
                headers: {
                    /** @description Seconds to wait before trying again */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    listEvents: {
        parameters: {
            query?: {
                /** @description nextCursor of the previous page; omit to start at the oldest event */
                after?: string;
                limit?: number;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description A page of events */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["EventPage"];
                };
            };
            /** @description Problem */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Problem */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Problem */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Rate limited: over one of its buckets per window: requests per client address (RATE_LIMIT_PER_ADDRESS); requests per user (RATE_LIMIT_PER_USER). Wait Retry-After seconds. */
            429: {
                headers: {
                    /** @description Seconds to wait before trying again */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    listBaskets: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Baskets */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        items: components["schemas"]["Basket"][];
                    };
                };
            };
            /** @description Problem */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Rate limited: over one of its buckets per window: requests per client address (RATE_LIMIT_PER_ADDRESS); requests per user (RATE_LIMIT_PER_USER). Wait Retry-After seconds. */
            429: {
                headers: {
                    /** @description Seconds to wait before trying again */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    listOrders: {
        parameters: {
            query?: {
                limit?: number;
                cursor?: string;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description A page of orders */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        items: components["schemas"]["Order"][];
                        nextCursor: string | null;
                    };
                };
            };
            /** @description Problem */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Problem */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Problem */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Rate limited: over one of its buckets per window: requests per client address (RATE_LIMIT_PER_ADDRESS); requests per user (RATE_LIMIT_PER_USER). Wait Retry-After seconds. */
            429: {
                headers: {
                    /** @description Seconds to wait before trying again */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    createOrder: {
        parameters: {
            query?: never;
            header?: {
                /** @description Makes the command safe to repeat: a repeat with the same key and body answers the first result (header Idempotent-Replayed: true) and starts nothing new; the same key with a different body is 409. 1 to 255 printable ASCII characters, e.g. a UUID; kept IDEMPOTENCY_KEY_RETENTION_HOURS (at least 24 hours). */
                "Idempotency-Key"?: string;
            };
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    /** @enum {string} */
                    assetType: "basket" | "stock" | "etf" | "option";
                    /** @enum {string} */
                    side: "buy" | "sell";
                    /**
                     * @description USD as a decimal string, at most 2 decimals
                     * @example 125.50
                     */
                    amountUsd?: string;
                    /**
                     * @description Shares to sell, a decimal string with at most 9 decimals
                     * @example 0.5
                     */
                    quantity?: string;
                    basketId?: string;
                    symbol?: string;
                    /** @description An option contract: OCC symbol without spaces, whole contracts, limit price per share */
                    optionDetails?: {
                        occSymbol: string;
                        quantity: number;
                        limitPrice: string;
                    };
                };
            };
        };
        responses: {
            /** @description Accepted */
            202: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Order"];
                };
            };
            /** @description Problem */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Problem */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Problem */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Problem */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Problem */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Problem */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Rate limited: over one of its buckets per window: requests per client address (RATE_LIMIT_PER_ADDRESS); requests per user (RATE_LIMIT_PER_USER). Wait Retry-After seconds. */
            429: {
                headers: {
                    /** @description Seconds to wait before trying again */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Problem */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    getOrder: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The order */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Order"];
                };
            };
            /** @description Problem */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Problem */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Rate limited: over one of its buckets per window: requests per client address (RATE_LIMIT_PER_ADDRESS); requests per user (RATE_LIMIT_PER_USER). Wait Retry-After seconds. */
            429: {
                headers: {
                    /** @description Seconds to wait before trying again */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    cancelOrder: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Cancel requested */
            202: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Order"];
                };
            };
            /** @description Problem */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Problem */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Problem */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Rate limited: over one of its buckets per window: requests per client address (RATE_LIMIT_PER_ADDRESS); requests per user (RATE_LIMIT_PER_USER). Wait Retry-After seconds. */
            429: {
                headers: {
                    /** @description Seconds to wait before trying again */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    listPositions: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Positions */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        items: components["schemas"]["Position"][];
                    };
                };
            };
            /** @description Problem */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Problem */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Rate limited: over one of its buckets per window: requests per client address (RATE_LIMIT_PER_ADDRESS); requests per user (RATE_LIMIT_PER_USER). Wait Retry-After seconds. */
            429: {
                headers: {
                    /** @description Seconds to wait before trying again */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    listWorkflowRuns: {
        parameters: {
            query?: {
                kind?: "kyc" | "wallet" | "deposit" | "withdrawal" | "order" | "summary";
                status?: "not_started" | "pending" | "approved" | "rejected" | "creating" | "active" | "inactive" | "pending_confirmation" | "confirmed_on_chain" | "off_ramp_initiated" | "off_ramp_complete" | "broker_funded" | "failed" | "broker_withdrawal_initiated" | "broker_withdrawal_complete" | "on_ramp_initiated" | "on_ramp_complete" | "transfer_initiated" | "complete" | "accepted_by_broker" | "partially_filled" | "filled" | "canceled";
                needsOperator?: "true" | "false";
                userId?: string;
                limit?: number;
                pageToken?: string;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description A page of runs */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["WorkflowRunPage"];
                };
            };
            /** @description Problem */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Problem */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Problem */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Rate limited: over one of its buckets per window: requests per client address (RATE_LIMIT_PER_ADDRESS); requests per user (RATE_LIMIT_PER_USER). Wait Retry-After seconds. */
            429: {
                headers: {
                    /** @description Seconds to wait before trying again */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    retryParkedDeposit: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    note?: string;
                    /** @description Extension: the parked step the operator decided on (the run's `progress` query in the Temporal UI). The saga refuses the decision (409) when it is parked at another step; without it, the step parked when the request arrives. */
                    step?: string;
                };
            };
        };
        responses: {
            /** @description Decision delivered to the saga */
            202: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["OperatorDecision"];
                };
            };
            /** @description Problem */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Problem */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Problem */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Problem */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Problem */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Rate limited: over one of its buckets per window: requests per client address (RATE_LIMIT_PER_ADDRESS); requests per user (RATE_LIMIT_PER_USER). Wait Retry-After seconds. */
            429: {
                headers: {
                    /** @description Seconds to wait before trying again */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    abortParkedDeposit: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    note?: string;
                    /** @description Extension: the parked step the operator decided on (the run's `progress` query in the Temporal UI). The saga refuses the decision (409) when it is parked at another step; without it, the step parked when the request arrives. */
                    step?: string;
                };
            };
        };
        responses: {
            /** @description Decision delivered to the saga */
            202: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["OperatorDecision"];
                };
            };
            /** @description Problem */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Problem */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Problem */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Problem */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Problem */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Rate limited: over one of its buckets per window: requests per client address (RATE_LIMIT_PER_ADDRESS); requests per user (RATE_LIMIT_PER_USER). Wait Retry-After seconds. */
            429: {
                headers: {
                    /** @description Seconds to wait before trying again */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    retryParkedWithdrawal: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    note?: string;
                    /** @description Extension: the parked step the operator decided on (the run's `progress` query in the Temporal UI). The saga refuses the decision (409) when it is parked at another step; without it, the step parked when the request arrives. */
                    step?: string;
                };
            };
        };
        responses: {
            /** @description Decision delivered to the saga */
            202: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["OperatorDecision"];
                };
            };
            /** @description Problem */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Problem */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Problem */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Problem */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Problem */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Rate limited: over one of its buckets per window: requests per client address (RATE_LIMIT_PER_ADDRESS); requests per user (RATE_LIMIT_PER_USER). Wait Retry-After seconds. */
            429: {
                headers: {
                    /** @description Seconds to wait before trying again */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    abortParkedWithdrawal: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    note?: string;
                    /** @description Extension: the parked step the operator decided on (the run's `progress` query in the Temporal UI). The saga refuses the decision (409) when it is parked at another step; without it, the step parked when the request arrives. */
                    step?: string;
                };
            };
        };
        responses: {
            /** @description Decision delivered to the saga */
            202: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["OperatorDecision"];
                };
            };
            /** @description Problem */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Problem */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Problem */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Problem */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Problem */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Rate limited: over one of its buckets per window: requests per client address (RATE_LIMIT_PER_ADDRESS); requests per user (RATE_LIMIT_PER_USER). Wait Retry-After seconds. */
            429: {
                headers: {
                    /** @description Seconds to wait before trying again */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    retryParkedOrder: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    note?: string;
                    /** @description Extension: the parked step the operator decided on (the run's `progress` query in the Temporal UI). The saga refuses the decision (409) when it is parked at another step; without it, the step parked when the request arrives. */
                    step?: string;
                };
            };
        };
        responses: {
            /** @description Decision delivered to the saga */
            202: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["OperatorDecision"];
                };
            };
            /** @description Problem */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Problem */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Problem */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Problem */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Problem */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Rate limited: over one of its buckets per window: requests per client address (RATE_LIMIT_PER_ADDRESS); requests per user (RATE_LIMIT_PER_USER). Wait Retry-After seconds. */
            429: {
                headers: {
                    /** @description Seconds to wait before trying again */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    abortParkedOrder: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    note?: string;
                    /** @description Extension: the parked step the operator decided on (the run's `progress` query in the Temporal UI). The saga refuses the decision (409) when it is parked at another step; without it, the step parked when the request arrives. */
                    step?: string;
                };
            };
        };
        responses: {
            /** @description Decision delivered to the saga */
            202: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["OperatorDecision"];
                };
            };
            /** @description Problem */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Problem */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Problem */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Problem */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Problem */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Rate limited: over one of its buckets per window: requests per client address (RATE_LIMIT_PER_ADDRESS); requests per user (RATE_LIMIT_PER_USER). Wait Retry-After seconds. */
            429: {
                headers: {
                    /** @description Seconds to wait before trying again */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    listOperatorAudit: {
        parameters: {
            query?: {
                limit?: number;
                cursor?: string;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description A page of audit entries */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["OperatorAuditPage"];
                };
            };
            /** @description Problem */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Problem */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Problem */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Rate limited: over one of its buckets per window: requests per client address (RATE_LIMIT_PER_ADDRESS); requests per user (RATE_LIMIT_PER_USER). Wait Retry-After seconds. */
            429: {
                headers: {
                    /** @description Seconds to wait before trying again */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    listInboundTransfers: {
        parameters: {
            query?: {
                limit?: number;
                cursor?: string;
                disposition?: "deposit" | "held" | "ignored";
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description A page of inbound transfers */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["InboundTransferPage"];
                };
            };
            /** @description Problem */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Problem */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Problem */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Rate limited: over one of its buckets per window: requests per client address (RATE_LIMIT_PER_ADDRESS); requests per user (RATE_LIMIT_PER_USER). Wait Retry-After seconds. */
            429: {
                headers: {
                    /** @description Seconds to wait before trying again */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    listReconciliationBreaks: {
        parameters: {
            query?: {
                limit?: number;
                cursor?: string;
                status?: "open" | "resolved";
                check?: "firm_balance" | "projection" | "deposit" | "withdrawal" | "order_fill" | "position" | "unrecorded_effect" | "missing_at_provider";
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description A page of breaks */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ReconciliationBreakPage"];
                };
            };
            /** @description Problem */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Problem */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Problem */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Rate limited: over one of its buckets per window: requests per client address (RATE_LIMIT_PER_ADDRESS); requests per user (RATE_LIMIT_PER_USER). Wait Retry-After seconds. */
            429: {
                headers: {
                    /** @description Seconds to wait before trying again */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    resolveReconciliationBreak: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    note: string;
                };
            };
        };
        responses: {
            /** @description The resolved break */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ReconciliationBreak"];
                };
            };
            /** @description Problem */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Problem */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Problem */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Problem */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Problem */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Rate limited: over one of its buckets per window: requests per client address (RATE_LIMIT_PER_ADDRESS); requests per user (RATE_LIMIT_PER_USER). Wait Retry-After seconds. */
            429: {
                headers: {
                    /** @description Seconds to wait before trying again */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    listWebhookEndpoints: {
        parameters: {
            query?: {
                limit?: number;
                cursor?: string;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description A page of endpoints */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["WebhookEndpointPage"];
                };
            };
            /** @description Problem */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Problem */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Problem */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Rate limited: over one of its buckets per window: requests per client address (RATE_LIMIT_PER_ADDRESS); requests per user (RATE_LIMIT_PER_USER). Wait Retry-After seconds. */
            429: {
                headers: {
                    /** @description Seconds to wait before trying again */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    createWebhookEndpoint: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    /**
                     * Format: uri
                     * @description Where events are POSTed: https in production, and never (nor resolving to) a loopback, private, link-local or metadata address
                     * @example https://app.example.com/hooks/fundflow
                     */
                    url: string;
                    description?: string;
                    /**
                     * @description Event types this endpoint receives (`deposit.broker_funded`, or `deposit.*`); empty: every type
                     * @default []
                     */
                    eventTypes?: ("deposit.pending_confirmation" | "deposit.confirmed_on_chain" | "deposit.off_ramp_initiated" | "deposit.off_ramp_complete" | "deposit.broker_funded" | "deposit.failed" | "withdrawal.pending" | "withdrawal.broker_withdrawal_initiated" | "withdrawal.broker_withdrawal_complete" | "withdrawal.on_ramp_initiated" | "withdrawal.on_ramp_complete" | "withdrawal.transfer_initiated" | "withdrawal.complete" | "withdrawal.failed" | "order.pending" | "order.accepted_by_broker" | "order.partially_filled" | "order.filled" | "order.failed" | "order.canceled" | "wallet.creating" | "wallet.active" | "wallet.inactive" | "kyc.pending" | "kyc.approved" | "kyc.rejected" | "summary.created" | "deposit.*" | "withdrawal.*" | "order.*" | "wallet.*" | "kyc.*" | "summary.*")[];
                    /** @default true */
                    enabled?: boolean;
                };
            };
        };
        responses: {
            /** @description The endpoint, with its secret */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["WebhookEndpointCreated"];
                };
            };
            /** @description Problem */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Problem */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Problem */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Rate limited: over one of its buckets per window: requests per client address (RATE_LIMIT_PER_ADDRESS); requests per user (RATE_LIMIT_PER_USER). Wait Retry-After seconds. */
            429: {
                headers: {
                    /** @description Seconds to wait before trying again */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    getWebhookEndpoint: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The endpoint */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["WebhookEndpoint"];
                };
            };
            /** @description Problem */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Problem */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Problem */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Rate limited: over one of its buckets per window: requests per client address (RATE_LIMIT_PER_ADDRESS); requests per user (RATE_LIMIT_PER_USER). Wait Retry-After seconds. */
            429: {
                headers: {
                    /** @description Seconds to wait before trying again */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    deleteWebhookEndpoint: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Deleted */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description Problem */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Problem */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Problem */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Rate limited: over one of its buckets per window: requests per client address (RATE_LIMIT_PER_ADDRESS); requests per user (RATE_LIMIT_PER_USER). Wait Retry-After seconds. */
            429: {
                headers: {
                    /** @description Seconds to wait before trying again */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    updateWebhookEndpoint: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    /**
                     * Format: uri
                     * @description Where events are POSTed: https in production, and never (nor resolving to) a loopback, private, link-local or metadata address
                     * @example https://app.example.com/hooks/fundflow
                     */
                    url?: string;
                    description?: string | null;
                    /** @description Event types this endpoint receives (`deposit.broker_funded`, or `deposit.*`); empty: every type */
                    eventTypes?: ("deposit.pending_confirmation" | "deposit.confirmed_on_chain" | "deposit.off_ramp_initiated" | "deposit.off_ramp_complete" | "deposit.broker_funded" | "deposit.failed" | "withdrawal.pending" | "withdrawal.broker_withdrawal_initiated" | "withdrawal.broker_withdrawal_complete" | "withdrawal.on_ramp_initiated" | "withdrawal.on_ramp_complete" | "withdrawal.transfer_initiated" | "withdrawal.complete" | "withdrawal.failed" | "order.pending" | "order.accepted_by_broker" | "order.partially_filled" | "order.filled" | "order.failed" | "order.canceled" | "wallet.creating" | "wallet.active" | "wallet.inactive" | "kyc.pending" | "kyc.approved" | "kyc.rejected" | "summary.created" | "deposit.*" | "withdrawal.*" | "order.*" | "wallet.*" | "kyc.*" | "summary.*")[];
                    /** @description false: nothing is sent (deliveries wait) until enabled again */
                    enabled?: boolean;
                };
            };
        };
        responses: {
            /** @description The endpoint */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["WebhookEndpoint"];
                };
            };
            /** @description Problem */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Problem */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Problem */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Problem */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Rate limited: over one of its buckets per window: requests per client address (RATE_LIMIT_PER_ADDRESS); requests per user (RATE_LIMIT_PER_USER). Wait Retry-After seconds. */
            429: {
                headers: {
                    /** @description Seconds to wait before trying again */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    listWebhookDeliveries: {
        parameters: {
            query?: {
                limit?: number;
                cursor?: string;
                status?: "pending" | "delivered" | "failed";
            };
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description A page of deliveries */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["WebhookDeliveryPage"];
                };
            };
            /** @description Problem */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Problem */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Problem */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Problem */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Rate limited: over one of its buckets per window: requests per client address (RATE_LIMIT_PER_ADDRESS); requests per user (RATE_LIMIT_PER_USER). Wait Retry-After seconds. */
            429: {
                headers: {
                    /** @description Seconds to wait before trying again */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    replayWebhookDelivery: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
                deliveryId: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": Record<string, never>;
            };
        };
        responses: {
            /** @description The delivery, pending again */
            202: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["WebhookDelivery"];
                };
            };
            /** @description Problem */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Problem */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Problem */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Problem */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Problem */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Rate limited: over one of its buckets per window: requests per client address (RATE_LIMIT_PER_ADDRESS); requests per user (RATE_LIMIT_PER_USER). Wait Retry-After seconds. */
            429: {
                headers: {
                    /** @description Seconds to wait before trying again */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    getDepositTimeline: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The timeline */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["MovementTimeline"];
                };
            };
            /** @description Problem */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Problem */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Problem */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Rate limited: over one of its buckets per window: requests per client address (RATE_LIMIT_PER_ADDRESS); requests per user (RATE_LIMIT_PER_USER). Wait Retry-After seconds. */
            429: {
                headers: {
                    /** @description Seconds to wait before trying again */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    getWithdrawalTimeline: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The timeline */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["MovementTimeline"];
                };
            };
            /** @description Problem */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Problem */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Problem */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Rate limited: over one of its buckets per window: requests per client address (RATE_LIMIT_PER_ADDRESS); requests per user (RATE_LIMIT_PER_USER). Wait Retry-After seconds. */
            429: {
                headers: {
                    /** @description Seconds to wait before trying again */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    getOrderTimeline: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The timeline */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["MovementTimeline"];
                };
            };
            /** @description Problem */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Problem */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Problem */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Rate limited: over one of its buckets per window: requests per client address (RATE_LIMIT_PER_ADDRESS); requests per user (RATE_LIMIT_PER_USER). Wait Retry-After seconds. */
            429: {
                headers: {
                    /** @description Seconds to wait before trying again */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
}
