-- Rate limit buckets (issue 15), in the shape rate-limiter-flexible's PostgreSQL store reads and writes
-- (src/api/rate-limit.ts): one row per bucket key (prefix + sha-256 of the address or subject), the points spent
-- in its window and when the window ends (epoch milliseconds). Created here so the API never runs DDL; shared
-- by every API process. The store deletes rows expired for an hour.

CREATE TABLE "rate_limits" (
    "key" VARCHAR(255) NOT NULL,
    "points" INTEGER NOT NULL DEFAULT 0,
    "expire" BIGINT,

    CONSTRAINT "rate_limits_pkey" PRIMARY KEY ("key")
);
