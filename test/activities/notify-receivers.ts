/**
 * Real receivers on loopback for the notification tests: an SMTP server (smtp-server) whose
 * replies a test scripts, parsing what arrives with mailparser. No mocks of the network.
 */
import { type AddressInfo } from 'node:net';
import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer } from 'smtp-server';

export interface ReceivedMail {
  envelope: { from: string; to: string[] };
  raw: string;
  parsed: ParsedMail;
}

/** An SMTP reply a script returns to refuse: `{ code: 550, text: '5.1.1 No such user' }`; undefined accepts. */
export interface Refusal {
  code: number;
  text?: string;
}

export interface SmtpScript {
  /** Require AUTH with these credentials (refused with 535 otherwise). */
  auth?: { user: string; pass: string };
  /** Called for MAIL FROM; `session` counts transactions (0-based). */
  mailFrom?: (address: string, session: number) => Refusal | undefined;
  /** Called for every RCPT TO; `session` counts connections that sent MAIL FROM (0-based). */
  rcpt?: (address: string, session: number) => Refusal | undefined;
  /** Called once the message data has arrived. */
  data?: (session: number) => Refusal | undefined;
}

export interface SmtpReceiver {
  url: string;
  port: number;
  /** Messages the server accepted. */
  mails: ReceivedMail[];
  /** Every RCPT TO the server saw, in order, with the session it came in. */
  rcpts: { address: string; session: number }[];
  /** Sessions (transactions) that got as far as MAIL FROM. */
  sessions: () => number;
  close(): Promise<void>;
}

const refuse = (refusal: Refusal) =>
  Object.assign(new Error(refusal.text ?? (refusal.code >= 500 ? 'Refused' : 'Try again later')), {
    responseCode: refusal.code,
  });

export async function startSmtpReceiver(script: SmtpScript = {}): Promise<SmtpReceiver> {
  const mails: ReceivedMail[] = [];
  const rcpts: SmtpReceiver['rcpts'] = [];
  let sessions = 0;
  const sessionOf = new Map<string, number>();
  const server = new SMTPServer({
    authOptional: script.auth === undefined,
    // Plain SMTP on loopback: STARTTLS with smtp-server's self-signed certificate would fail verification.
    disabledCommands: script.auth ? ['STARTTLS'] : ['STARTTLS', 'AUTH'],
    allowInsecureAuth: true,
    logger: false,
    onAuth(auth, _session, callback) {
      if (auth.username === script.auth?.user && auth.password === script.auth?.pass) {
        callback(null, { user: auth.username });
      } else {
        callback(Object.assign(new Error('5.7.8 Authentication failed'), { responseCode: 535 }));
      }
    },
    onMailFrom(address, session, callback) {
      const index = sessions++;
      sessionOf.set(session.id, index);
      const refusal = script.mailFrom?.(address.address, index);
      callback(refusal ? refuse(refusal) : undefined);
    },
    onRcptTo(address, session, callback) {
      const index = sessionOf.get(session.id) ?? 0;
      rcpts.push({ address: address.address, session: index });
      const refusal = script.rcpt?.(address.address, index);
      callback(refusal ? refuse(refusal) : undefined);
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        const refusal = script.data?.(sessionOf.get(session.id) ?? 0);
        if (refusal) {
          callback(refuse(refusal));
          return;
        }
        const raw = Buffer.concat(chunks);
        simpleParser(raw).then(
          (parsed) => {
            mails.push({
              envelope: {
                from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
                to: session.envelope.rcptTo.map((r) => r.address),
              },
              raw: raw.toString('utf8'),
              parsed,
            });
            callback();
          },
          (error: Error) => callback(error),
        );
      });
    },
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.server.address() as AddressInfo;
  return {
    url: `smtp://127.0.0.1:${port}`,
    port,
    mails,
    rcpts,
    sessions: () => sessions,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** A loopback port with nothing listening on it: connections are refused. */
export async function closedPort(): Promise<number> {
  const receiver = await startSmtpReceiver();
  await receiver.close();
  return receiver.port;
}
