/**
 * Largest Goodays webhook body accepted (413 above). A thread with its attachments' links is a few
 * KiB; SQS takes 1 MiB, and the envelope escapes the body once more, so stay well under.
 */
export const MAX_WEBHOOK_BODY_BYTES_GOODAYS = 256 * 1024;
