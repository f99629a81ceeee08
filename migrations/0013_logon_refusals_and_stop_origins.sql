-- Logons the per-address rate limit refused (R2.4), counted per portal, client address and minute,
-- so the bank can see a credential-stuffing wave (src/access/logon-refusals.ts). The audit trail
-- gets one record at the first refusal of an address-minute and one with the count once the minute
-- is over (total_recorded_at): a chained record is never updated (decision 0005), this row is.
CREATE TABLE logon_refusal (
  portal             text NOT NULL CHECK (portal IN ('customer', 'staff')),
  ip                 text NOT NULL,
  minute             timestamptz NOT NULL,
  refusals           integer NOT NULL CHECK (refusals >= 1),
  first_at           timestamptz NOT NULL,
  last_at            timestamptz NOT NULL,
  total_recorded_at  timestamptz,
  PRIMARY KEY (portal, ip, minute)
);
-- The console lists the newest minutes first; the job looks for minutes whose count is not recorded yet.
CREATE INDEX logon_refusal_newest ON logon_refusal (minute DESC);
CREATE INDEX logon_refusal_total_due ON logon_refusal (minute) WHERE total_recorded_at IS NULL;

-- R2.3: the client address of each wrong secret of a customer's person, the last seven per person
-- (older rows are deleted as new ones come), so a stop can name where its failures came from
-- (src/access/stop-origins.ts).
CREATE TABLE secret_failure (
  id        bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  user_ref  integer NOT NULL REFERENCES users (id),
  at        timestamptz NOT NULL,
  ip        text NOT NULL
);
CREATE INDEX secret_failure_by_user ON secret_failure (user_ref, id DESC);

-- The console's list of stops reads the stop records of the audit trail, newest first, without
-- walking the whole trail.
CREATE INDEX audit_log_person_stops ON audit_log (at DESC) WHERE action = 'person.stop';
