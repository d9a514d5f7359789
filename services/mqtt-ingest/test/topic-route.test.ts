import { describe, expect, it } from 'vitest';
import { configTopic, parseUploadTopic, uploadTopic, UPLOAD_KINDS } from '../src/topics/topic-route.ts';

describe('topic routes', () => {
  it('round-trips every upload kind', () => {
    for (const kind of UPLOAD_KINDS) expect(parseUploadTopic(uploadTopic('meter-7', kind))).toEqual({ device: 'meter-7', kind });
  });

  it('accepts AmsReader sub-topics under its upload topic', () => {
    expect(parseUploadTopic('sem/meter-7/amsreader/prices')).toEqual({ device: 'meter-7', kind: 'amsreader' });
  });

  it('rejects everything else', () => {
    for (const topic of ['sem/meter-7', 'sem//readings', 'other/meter-7/readings', 'sem/meter-7/readings/x', configTopic('meter-7'), 'sem/meter-7/frames', '']) {
      expect(parseUploadTopic(topic), topic).toBeNull();
    }
  });
});
