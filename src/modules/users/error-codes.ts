/** Error codes of the users area: code → HTTP status. Messages are `error.<CODE>` in the messages.ts beside it. */
export const usersErrorCodes = {
  // R1.2: a user ID is unique within its contract, and a deleted person's ID is never given again.
  USERS_USER_ID_TAKEN: 409,
  USERS_NAME_INVALID: 400,
  USERS_LIMIT_INVALID: 400,
  USERS_GRANT_INVALID: 400,
  USERS_STEP_REQUIRED: 400,
  USERS_LIMIT_REQUIRED: 400,
  USERS_LIMIT_ORDER: 400,
  // R1.4: nobody grants more than they hold.
  USERS_GRANT_BEYOND_OWN: 403,
  USERS_LIMIT_BEYOND_OWN: 403,
  USERS_ACCOUNT_BEYOND_OWN: 403,
  USERS_MASTER_PROTECTED: 403,
  USERS_ADMIN_PROTECTED: 403,
  USERS_SELF: 403,
  USERS_LAST_ADMINISTRATOR: 409,
  USERS_DELETED: 409,
  USERS_STATUS_CONFLICT: 409,
} as const satisfies Record<string, number>;
