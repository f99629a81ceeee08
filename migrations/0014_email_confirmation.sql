-- R1.3, R7.3: notices go only to an address its owner confirmed by entering a code sent to it.

-- When the owner entered that code for users.email. While NULL, the setup holds the person at its
-- email step, whatever logon brought them there. (The address the bank took from a contract
-- application receives notices until the master confirms one at the first logon.)
ALTER TABLE users ADD COLUMN email_confirmed_at timestamptz;

-- An address an administrator set for the person: no notice goes to it until its owner enters the
-- code sent to it; it then replaces users.email. Until then the old address (or none) stays in use.
ALTER TABLE users ADD COLUMN unconfirmed_email text;

-- Addresses confirmed before this column existed: each success of email.change in the audit trail
-- is its owner entering a code for the address it names. An address set by anyone else stays
-- unconfirmed, so its owner confirms it (or another) at the next logon.
UPDATE users SET email_confirmed_at = confirmed.at
FROM (
  SELECT user_ref, details ->> 'to' AS address, max(at) AS at
  FROM audit_log
  WHERE action = 'email.change' AND outcome = 'success' AND user_ref IS NOT NULL
  GROUP BY user_ref, details ->> 'to'
) AS confirmed
WHERE confirmed.user_ref = users.id AND confirmed.address = users.email;
