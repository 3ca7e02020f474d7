import { EnvelopeBase, type Envelope } from './envelope.js';
import { fastParseMarketPayload } from './market-fast-parse.js';
import { payloadSchema, type MessageType, type PayloadInputOf, type PayloadOf } from './registry.js';

export type DecodeErrorCode = 'MALFORMED_JSON' | 'INVALID_ENVELOPE' | 'UNKNOWN_MESSAGE_TYPE' | 'INVALID_PAYLOAD';

export class MessageDecodeError extends Error {
  override readonly name = 'MessageDecodeError';
  constructor(
    readonly code: DecodeErrorCode,
    message: string,
    readonly path?: string,
  ) {
    super(message);
  }
}

export interface MakeEnvelopeInput<T extends MessageType> {
  type: T;
  id: string;
  source: string;
  tsEvent: number;
  tsInit: number;
  payload: PayloadInputOf<T>;
  correlationId?: string;
  causationId?: string;
}

/** Builds an envelope and validates its payload (producers validate too). */
export function makeEnvelope<T extends MessageType>(input: MakeEnvelopeInput<T>): Envelope<T, PayloadOf<T>> {
  // market data published per exchange frame: a hand check equal to the schema's accept path
  let payload = fastParseMarketPayload(input.type, input.payload);
  if (payload === undefined) {
    const schema = payloadSchema(input.type, 1);
    if (!schema) throw new MessageDecodeError('UNKNOWN_MESSAGE_TYPE', `unknown message type ${input.type}`);
    const parsed = schema.safeParse(input.payload);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new MessageDecodeError('INVALID_PAYLOAD', `${input.type}: ${issue?.message ?? 'invalid'}`, issue?.path.join('.'));
    }
    payload = parsed.data;
  }
  const env: Envelope<T, PayloadOf<T>> = {
    id: input.id,
    type: input.type,
    v: 1,
    source: input.source,
    tsEvent: input.tsEvent,
    tsInit: input.tsInit,
    payload: payload as PayloadOf<T>,
  };
  if (input.correlationId !== undefined) env.correlationId = input.correlationId;
  if (input.causationId !== undefined) env.causationId = input.causationId;
  return env;
}

export function encodeEnvelope(env: Envelope): string {
  return JSON.stringify(env);
}

/** Parses and validates an envelope and its payload. Throws MessageDecodeError with a stable code. */
export function decodeEnvelope(data: string): Envelope {
  let raw: unknown;
  try {
    raw = JSON.parse(data);
  } catch {
    throw new MessageDecodeError('MALFORMED_JSON', 'message data is not valid JSON');
  }
  const base = EnvelopeBase.safeParse(raw);
  if (!base.success) {
    const issue = base.error.issues[0];
    throw new MessageDecodeError('INVALID_ENVELOPE', `invalid envelope: ${issue?.message ?? ''}`, issue?.path.join('.'));
  }
  const schema = payloadSchema(base.data.type, base.data.v);
  if (!schema) throw new MessageDecodeError('UNKNOWN_MESSAGE_TYPE', `unknown message type ${base.data.type} v${base.data.v}`);
  const payload = schema.safeParse(base.data.payload);
  if (!payload.success) {
    const issue = payload.error.issues[0];
    throw new MessageDecodeError('INVALID_PAYLOAD', `${base.data.type}: ${issue?.message ?? 'invalid'}`, issue?.path.join('.'));
  }
  const { correlationId, causationId, ...rest } = base.data;
  const env: Envelope = { ...rest, payload: payload.data };
  if (correlationId !== undefined) env.correlationId = correlationId;
  if (causationId !== undefined) env.causationId = causationId;
  return env;
}

/** Narrows a decoded envelope to one message type. */
export function isMessage<T extends MessageType>(env: Envelope, type: T): env is Envelope<T, PayloadOf<T>> {
  return env.type === type;
}
