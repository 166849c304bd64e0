// Vectors from the Community ID spec's reference implementations (corelight/community-id-spec).
import { describe, expect, it } from 'vitest';
import { communityId } from '../../../src/util/community-id.js';
import { parseIp } from '../../../src/util/ip.js';

const ip = (s: string) => parseIp(s)!;

describe('communityId v1', () => {
  it('TCP 128.232.110.120:34855 -> 66.35.250.204:80', () => {
    expect(communityId(ip('128.232.110.120'), 34855, ip('66.35.250.204'), 80, 6)).toBe(
      '1:LQU9qZlK+B5F3KDmev6m5PMibrg=',
    );
  });
  it('is the same in both directions', () => {
    expect(communityId(ip('66.35.250.204'), 80, ip('128.232.110.120'), 34855, 6)).toBe(
      '1:LQU9qZlK+B5F3KDmev6m5PMibrg=',
    );
  });
  it('UDP 192.168.1.52:54585 -> 8.8.8.8:53', () => {
    expect(communityId(ip('192.168.1.52'), 54585, ip('8.8.8.8'), 53, 17)).toBe(
      '1:d/FP5EW3wiY1vCndhwleRRKHowQ=',
    );
  });
});
