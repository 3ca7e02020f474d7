import { z } from 'zod';

export const AuthScope = z.enum(['read', 'control']);
export type AuthScope = z.infer<typeof AuthScope>;

export const TokenRequestBody = z
  .object({
    apiKey: z.string().min(8).max(256),
    scopes: z.array(AuthScope).min(1).max(2).optional().describe('narrow the token to these scopes (default: all of the key)'),
  })
  .strict()
  .meta({ id: 'TokenRequest' });

export const RefreshRequestBody = z.object({ refreshToken: z.string().min(10).max(4096) }).strict().meta({ id: 'RefreshRequest' });

export const TokenResponse = z
  .object({
    tokenType: z.literal('Bearer'),
    accessToken: z.string(),
    expiresIn: z.number().int().positive().describe('seconds'),
    refreshToken: z.string(),
    refreshExpiresIn: z.number().int().positive(),
    scopes: z.array(AuthScope),
  })
  .meta({ id: 'TokenResponse' });
export type TokenResponse = z.infer<typeof TokenResponse>;
