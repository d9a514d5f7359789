// The ingest API's public surface: the app (tests, other workspaces' end-to-end tests), its config and the device admin functions behind the CLI.
export { buildApp, type BuildOptions } from './app.ts';
export { ConfigError, loadConfig, loadConfigOrExit, type AppConfig } from './config.ts';
export { createDevice, revokeKeys, rotateKey, setDeviceConfig, type DeviceConfigInput } from './devices/devices.service.ts';
