import { randomBytes } from 'node:crypto';
import { createRedis } from './redis';
import { MessageSequence } from './sequence';

describe('message sequence numbers (real Redis)', () => {
  const redis = createRedis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
  const prefix = `t${randomBytes(5).toString('hex')}`;
  const seq = new MessageSequence(redis, prefix);
  afterAll(async () => {
    const keys = await redis.keys(`${prefix}:*`);
    if (keys.length) await redis.del(...keys);
    await redis.quit();
  });

  it('never hands out a number already on disk: counter lost, or rolled back by a crash', async () => {
    let onDisk = 0;
    const disk = async () => onDisk;
    expect(await seq.next('n1', disk)).toBe(1);
    expect(await seq.next('n1', disk)).toBe(2);
    onDisk = 2;
    // Redis came back empty
    await redis.del(seq.key('n1'));
    expect(await seq.next('n1', disk)).toBe(3);
    onDisk = 9;
    // a machine crash lost the counter's last second: it says 3, the files hold up to 9
    expect(await seq.next('n1', disk)).toBe(10);
    expect(await seq.reserve('n1', 3, disk)).toBe(11);
    expect(await seq.next('n1', disk)).toBe(14);
  });
});
