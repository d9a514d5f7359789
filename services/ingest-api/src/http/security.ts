/** OpenAPI security requirement of device routes: a Bearer key or X-API-Key. */
export const DEVICE_SECURITY: { [scheme: string]: string[] }[] = [{ bearer: [] }, { apiKey: [] }];
