/** Message numbers (RFC 4250 §4.1.2) the stream walker acts on. */
export const SSH_MSG_DISCONNECT = 1;
export const SSH_MSG_IGNORE = 2;
export const SSH_MSG_UNIMPLEMENTED = 3;
export const SSH_MSG_DEBUG = 4;
export const SSH_MSG_KEXINIT = 20;

/** Bytes of the KEXINIT cookie (RFC 4253 §7.1: byte[16] cookie). */
export const KEXINIT_COOKIE_LENGTH = 16;

/** Name-lists in a KEXINIT (RFC 4253 §7.1), in wire order. */
export const KEXINIT_NAME_LIST_COUNT = 10;

/** Bytes of the binary packet header: uint32 packet_length, byte padding_length (RFC 4253 §6). */
export const PACKET_HEADER_LENGTH = 5;

/** The identification prefix "SSH-" (RFC 4253 §4.2) as bytes. */
export const SSH_PREFIX: readonly number[] = [0x53, 0x53, 0x48, 0x2d];

/** Which side of the connection sent the bytes. */
export type SshRole = 'client' | 'server';
