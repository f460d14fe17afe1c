import addressparser from 'nodemailer/lib/addressparser';

/** One e-mail address, with an optional display name (any script: it is encoded on the wire). */
export interface EmailAddress {
  address: string;
  name?: string;
}

/**
 * Parses `Name <address@domain>` or `address@domain` (the SMTP_FROM forms); undefined unless the text is
 * exactly one plausible mailbox. Apart from email.ts so that configuration parsing does not load nodemailer.
 */
export function parseMailbox(text: string): EmailAddress | undefined {
  const parsed = addressparser(text, { flatten: true });
  if (parsed.length !== 1) return undefined;
  const { name, address } = parsed[0]!;
  if (!/^[^\s@<>]+@[^\s@<>]+\.[^\s@<>]+$/.test(address)) return undefined;
  return name ? { name, address } : { address };
}
