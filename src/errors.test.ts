import { test } from 'node:test';
import assert from 'node:assert/strict';
import { errorRegistry, AppError, type ErrorCode } from './errors.ts';
import { translator } from './web/i18n/index.ts';

test('every error code has its message in Japanese and in English', () => {
  for (const language of ['ja', 'en'] as const) {
    const t = translator(language);
    for (const code of Object.keys(errorRegistry) as ErrorCode[]) {
      assert.doesNotThrow(() => t(new AppError(code).messageKey), `${language}: error.${code}`);
      assert.ok(t(new AppError(code).messageKey).length > 0, `${language}: error.${code}`);
    }
  }
});
