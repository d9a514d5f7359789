export { startMqttIngest, type MqttIngest } from './mqtt-ingest.ts';
export { loadMqttConfig, MqttConfigError, type MqttIngestConfig } from './config.ts';
export { publishDeviceConfig, clearDeviceConfig, deviceConfigPayload, type DeviceConfigMessage } from './config-downlink/device-config.ts';
export { deriveMqttPassword, isValidMqttUsername, type DeviceIdentity } from './broker/device-credentials.ts';
export { renderPasswordFile, passwordFileLine, type BrokerAccount } from './broker/password-file.ts';
export { parseAmsReaderJson, type AmsReaderParse } from './amsreader/amsreader-json.ts';
export { configTopic, uploadTopic, parseUploadTopic, INGEST_SUBSCRIPTIONS, UPLOAD_KINDS, type UploadKind } from './topics/topic-route.ts';
