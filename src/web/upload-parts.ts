import type { FastifyRequest } from 'fastify';
import { AppError, isAppError } from '../errors.ts';
import { sentValue } from './form-input.ts';

/**
 * A form that sends a file (multipart/form-data), read into a plain body: text fields as strings,
 * the file as an UploadedFile, within small limits. A second value of one name makes it a list (which
 * no text reader accepts); the parts read before a limit was reached are kept, so that the CSRF token
 * sent first still counts and the refusal is shown on the form's page.
 */
export interface UploadedFile {
  filename: string;
  data: Buffer;
}

export interface UploadLimits {
  fileBytesMax: number;
  /** Text fields besides the file (the CSRF token included), and the bytes of each. */
  fieldsMax: number;
  fieldBytesMax: number;
}

export function isUploadedFile(value: unknown): value is UploadedFile {
  return typeof value === 'object' && value !== null && Buffer.isBuffer((value as UploadedFile).data) && typeof (value as UploadedFile).filename === 'string';
}

export async function readUploadParts(request: FastifyRequest, limits: UploadLimits, tooLarge: () => AppError): Promise<{ body: Record<string, unknown>; refused?: AppError }> {
  const body: Record<string, unknown> = Object.create(null) as Record<string, unknown>;
  const keep = (name: string, value: unknown) => {
    const before = sentValue(body, name);
    body[name] = before === undefined ? value : [before, value];
  };
  const { fileBytesMax, fieldsMax, fieldBytesMax } = limits;
  try {
    const parts = request.parts({
      limits: { files: 1, fileSize: fileBytesMax, fields: fieldsMax, fieldSize: fieldBytesMax, parts: fieldsMax + 1, fieldNameSize: 64, headerPairs: 20 },
    });
    for await (const part of parts) {
      if (part.type === 'file') {
        const data = await part.toBuffer();
        keep(part.fieldname, { filename: part.filename, data } satisfies UploadedFile);
      } else if (part.fieldnameTruncated || part.valueTruncated || typeof part.value !== 'string') {
        throw new AppError('INPUT_INVALID', { field: part.fieldname });
      } else {
        keep(part.fieldname, part.value);
      }
    }
    return { body };
  } catch (error) {
    // The parser's own errors (FST_…: a file too large, too many parts; a body cut short) are the sender's.
    if (isAppError(error)) return { body, refused: error };
    const code = (error as { code?: unknown } | null)?.code;
    return { body, refused: code === 'FST_REQ_FILE_TOO_LARGE' ? tooLarge() : new AppError('INPUT_INVALID') };
  }
}
