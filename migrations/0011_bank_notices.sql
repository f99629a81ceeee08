-- Notices from the bank [お知らせ] on the customers' top page after logon. The bank's staff post
-- them from the operator console; each is shown within its display period (Asia/Tokyo dates, both
-- days included) to every contract (contract_id NULL) or to one contract.
CREATE TABLE bank_notice (
  id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  contract_id  text REFERENCES contract (id),
  title        text NOT NULL CHECK (length(btrim(title)) BETWEEN 1 AND 100),
  body         text NOT NULL CHECK (length(body) <= 2000),
  shown_from   date NOT NULL,
  shown_until  date NOT NULL,
  posted_by    integer NOT NULL REFERENCES staff (id),
  posted_at    timestamptz NOT NULL,
  CHECK (shown_until >= shown_from)
);

-- The top page asks for the notices shown today to one contract.
CREATE INDEX bank_notice_shown ON bank_notice (shown_until, shown_from);
