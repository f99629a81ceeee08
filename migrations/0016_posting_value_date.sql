-- R8.1: a statement is one account's postings in a period of value dates. The value date belongs to
-- the journal entry, so the period could only be judged by reading every posting the account ever
-- had and its entry: a page cost the account's whole history. Each posting now carries its entry's
-- value date, indexed with the account, so a period's lines are one range of one index.
--
-- The entry stays the one source: a trigger copies its value date into each of its postings as they
-- are inserted, whatever the writer gives, and postings are never updated (migration 0005), so the
-- two cannot disagree.
ALTER TABLE posting ADD COLUMN value_date date;

ALTER TABLE posting DISABLE TRIGGER posting_append_only;
UPDATE posting SET value_date = journal_entry.value_date FROM journal_entry WHERE journal_entry.id = posting.entry_id;
ALTER TABLE posting ENABLE TRIGGER posting_append_only;

ALTER TABLE posting ALTER COLUMN value_date SET NOT NULL;

CREATE FUNCTION posting_value_date_of_entry() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  SELECT value_date INTO STRICT NEW.value_date FROM journal_entry WHERE id = NEW.entry_id;
  RETURN NEW;
END
$$;
CREATE TRIGGER posting_value_date BEFORE INSERT ON posting
  FOR EACH ROW EXECUTE FUNCTION posting_value_date_of_entry();

-- The statement's lines (and their count) of one account in a period, in the ledger's order.
CREATE INDEX posting_by_account_and_value_date ON posting (ledger_account_id, value_date, id);
