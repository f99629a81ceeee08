-- R9.1, decision 0026: a record's link can be computed by the statement that appends it. Scheme 1
-- (every record written before this migration) hashes the whole record, position included, in
-- Node, which must therefore read the chain head before the append. Scheme 2 splits the hash: the
-- content (everything but the position) is hashed in Node into content_hash, and the link over
-- the chain, number, previous hash and content_hash is computed by the append statement itself,
-- under the head's lock it takes there (src/audit/chain.ts states both).
--
-- Nothing existing is rewritten: old records keep scheme 1 and verify as before.
ALTER TABLE audit_log
  ADD COLUMN link_scheme smallint NOT NULL DEFAULT 1,
  ADD COLUMN content_hash text,
  ADD CONSTRAINT audit_log_link_scheme CHECK (
    (link_scheme = 1 AND content_hash IS NULL)
    OR (link_scheme = 2 AND content_hash IS NOT NULL AND content_hash ~ '^[0-9a-f]{64}$')
  );
