import { randomBytes, randomUUID } from 'node:crypto';
import type supertest from 'supertest';
import type { ServerApi } from '@app/api-client';
import { bodyOf } from './body.js';

export interface TestUser {
  email: string;
  password: string;
  userId: string;
  sessionToken: string;
}

export const uniqueEmail = (prefix = 'user') => `${prefix}-${randomUUID()}@example.com`;
export const randomPassword = () => randomBytes(24).toString('base64url');
export const bearer = (token: string) => ({ Authorization: `Bearer ${token}` });

/** Registers a new account and opens a session on it, through the API. */
export async function registerAndLogin(http: () => supertest.Agent, email = uniqueEmail()): Promise<TestUser> {
  const password = randomPassword();
  await http().post('/api/auth/register').send({ email, password }).expect(201);
  const login = bodyOf<ServerApi.LoginResponse>(
    await http().post('/api/auth/login').send({ email, password }).expect(200),
  );
  return { email, password, userId: login.userId, sessionToken: login.sessionToken };
}

export async function login(http: () => supertest.Agent, user: Pick<TestUser, 'email' | 'password'>): Promise<string> {
  const response = await http()
    .post('/api/auth/login')
    .send({ email: user.email, password: user.password })
    .expect(200);
  return bodyOf<ServerApi.LoginResponse>(response).sessionToken;
}
