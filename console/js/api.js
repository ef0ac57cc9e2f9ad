// The console's only way to the backend: POSTs to this backend's own endpoints, relative to the console's URL.
//
// The secret key lives in this tab's sessionStorage and travels only as the X-SecretKey header; the
// title's entity token (for Object/ calls) is kept in memory and fetched again when it runs out.

const KEY_NAME = "console.secretKey";
let entityToken = null;

export class ApiError extends Error {
  constructor(body, status) {
    super(body && body.errorMessage ? body.errorMessage : `The call failed (HTTP ${status}).`);
    this.name = "ApiError";
    this.error = body && body.error ? body.error : "NetworkError";
    this.code = body && body.errorCode;
    this.details = (body && body.errorDetails) || {};
    this.status = status;
  }
}

export function secretKey() {
  return sessionStorage.getItem(KEY_NAME);
}

export function signIn(key) {
  sessionStorage.setItem(KEY_NAME, key);
  entityToken = null;
}

export function signOut() {
  sessionStorage.removeItem(KEY_NAME);
  entityToken = null;
}

// "Admin/GetUserAccountInfo" relative to <prefix>/console/: <prefix>/Admin/GetUserAccountInfo.
export function endpointUrl(path) {
  return new URL(`../${path}`, window.location.href).toString();
}

async function post(path, body, headers) {
  let response;
  try {
    response = await fetch(endpointUrl(path), {
      method: "POST",
      headers: { "Content-Type": "application/json", ...headers },
      body: JSON.stringify(body || {}),
      credentials: "omit",
      cache: "no-store",
      referrerPolicy: "no-referrer",
    });
  } catch {
    throw new ApiError({ error: "NetworkError", errorMessage: "The backend did not answer." }, 0);
  }
  let envelope = null;
  try {
    envelope = await response.json();
  } catch {
    envelope = null;
  }
  if (!response.ok || !envelope || envelope.code !== 200) {
    throw new ApiError(envelope, response.status);
  }
  return envelope.data || {};
}

// An Admin/ or Server/ call with the title's secret key.
export function call(path, body) {
  const key = secretKey();
  if (!key) {
    return Promise.reject(new ApiError({ error: "NotAuthenticated", errorMessage: "Sign in first." }, 401));
  }
  return post(path, body, { "X-SecretKey": key });
}

async function titleToken(renew) {
  if (!entityToken || renew) {
    const answer = await call("Authentication/GetEntityToken", {});
    entityToken = { token: answer.EntityToken, entity: answer.Entity };
  }
  return entityToken;
}

// The title entity ({Id, Type}) the secret key belongs to.
export async function titleEntity() {
  return (await titleToken(false)).entity;
}

// An entity call (Object/...) as the title entity.
export async function entityCall(path, body) {
  let token = await titleToken(false);
  try {
    return await post(path, body, { "X-EntityToken": token.token });
  } catch (err) {
    if (!(err instanceof ApiError) || !err.error.startsWith("EntityToken")) throw err;
    token = await titleToken(true);
    return post(path, body, { "X-EntityToken": token.token });
  }
}
