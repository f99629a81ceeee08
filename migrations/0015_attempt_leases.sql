-- Decision 0024: a reserved lockout attempt (decision 0001) is a lease. failed_attempts now counts
-- the wrong secrets only; the reservations being evaluated are counted beside it, with the time of
-- the newest, and stop counting once that is older than attemptLeaseSeconds (src/access/attempts.ts):
-- a reservation whose process died before its outcome charges nobody for ever.

-- How many reservations are being evaluated now. The gate (R2.3) is
-- failed_attempts + attempts_in_flight < 7, in the one statement that reserves.
ALTER TABLE users ADD COLUMN attempts_in_flight integer NOT NULL DEFAULT 0 CHECK (attempts_in_flight >= 0);
-- When the reservations now in flight began to be counted together: an outcome gives its
-- reservation back only while this is still the time its reservation saw (a lapsed batch is gone).
ALTER TABLE users ADD COLUMN attempts_batch_at timestamptz;
-- The newest reservation in flight: the whole batch lapses attemptLeaseSeconds after it.
ALTER TABLE users ADD COLUMN attempts_reserved_at timestamptz;

ALTER TABLE staff ADD COLUMN attempts_in_flight integer NOT NULL DEFAULT 0 CHECK (attempts_in_flight >= 0);
ALTER TABLE staff ADD COLUMN attempts_batch_at timestamptz;
ALTER TABLE staff ADD COLUMN attempts_reserved_at timestamptz;
