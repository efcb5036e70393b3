/**
 * What a 401 or 403 from the service most likely means and what to do, appended to the service's own
 * words (mapServiceError). The service's code stays in `serviceCode`; these sentences only add advice.
 *
 *   401 + WWW-Authenticate error_description="The access token has expired." → the token expired …
 *   403 "… is missing prvReadAccount privilege …" → give the application user a role with prvReadAccount …
 */
export interface AccessAdvice {
  /** stable name of the likely cause, kept in the error's details */
  cause: string;
  text: string;
}

/** the `error_description` of a Bearer challenge: `Bearer authorization_uri=…, error="invalid_token", error_description="…"` */
export function challengeDescription(header: string | undefined): string | undefined {
  return header ? /error_description="([^"]*)"/i.exec(header)?.[1] : undefined;
}

export function unauthorizedAdvice(challenge: string | undefined): AccessAdvice {
  const reason = challengeDescription(challenge) ?? '';
  if (/expired/i.test(reason)) {
    return { cause: 'token-expired', text: 'The access token has expired. With Auth Scheme=AccessToken give a fresh token (it cannot be renewed); with the other schemes check the machine clock.' };
  }
  if (/audience|resource/i.test(reason)) {
    return { cause: 'token-audience', text: 'The access token was issued for another resource. Organization URL must be the org exactly as the token was asked for (e.g. https://contoso.crm.dynamics.com, no /api/data path); a token from Auth Scheme=AccessToken or Custom must be for that URL (scope https://contoso.crm.dynamics.com/.default).' };
  }
  return {
    cause: 'token-refused',
    text:
      'The service did not accept the credential. Check that Organization URL is the org the token was issued for (no /api/data path), ' +
      'that Azure Tenant is the tenant of that environment, and that the token or secret is current. ' +
      'On Finance and Operations, the app\'s Client Id must also be registered under System administration › Setup › Microsoft Entra applications.',
  };
}

export function forbiddenAdvice(serviceMessage: string | undefined): AccessAdvice {
  const message = serviceMessage ?? '';
  const privilege = /\b(prv[A-Za-z0-9_]+)\b/.exec(message)?.[1];
  const where = 'Power Platform admin center › Environments › (your environment) › Settings › Users + permissions › Application users';
  if (privilege) {
    return { cause: 'missing-privilege', text: `The application user (or the signed-in user) lacks the privilege ${privilege}: give it a security role that grants ${privilege} (${where} › Edit security roles).` };
  }
  if (/not a member of the organi[sz]ation|does not exist in|no such user|user .*not found/i.test(message)) {
    return { cause: 'no-application-user', text: `The app has no application user in this environment: create one with the app's Client Id (${where} › New app user) and give it a security role.` };
  }
  if (/disabled/i.test(message)) {
    return { cause: 'user-disabled', text: `The application user (or the signed-in user) is disabled: enable it (${where}), or for a person, assign a license.` };
  }
  return {
    cause: 'forbidden',
    text: `The caller may sign in but not do this. Check that the app's application user exists and is enabled in this environment and has a security role with privileges on the table (${where}); on Finance and Operations, that the Microsoft Entra application maps to a user with the needed roles.`,
  };
}
