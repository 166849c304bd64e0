// One-dimensional arrays in PostgreSQL's binary wire format (array_recv), for query parameters that
// carry a whole batch column by column: `INSERT … SELECT … FROM unnest($1::float8[], $2::text[], …)`.
// Both clients send a Buffer parameter as it is, in the binary format (pg always; PGlite too, as its
// array serializer passes anything but an Array through). Against JSON text the server saves the
// parse of every value (jsonb numbers go numeric → text → float8): on PGlite a batch of 28 float8
// columns was written 6× faster.
//
// Layout (src/backend/utils/adt/arrayfuncs.c, array_recv): int32 ndim, int32 has-nulls flag,
// int32 element type OID, then per dimension int32 length and int32 lower bound, then per element
// int32 byte length (−1 for NULL) and the element's own binary form. All integers big-endian.

/** Element type OIDs (pg_type.dat). */
const OID = { bool: 16, int8: 20, int4: 23, text: 25, float8: 701 } as const;

/** A value the column's type cannot hold: a data error, as the server would raise (SQLSTATE
 *  22003), so writeSettingAside (errors.ts) sets the row aside rather than retrying the batch. */
class OutOfRange extends Error {
  readonly code = '22003';
}

/** Writes the array header and returns the buffer with room for `bodyBytes` of elements. */
function header(oid: number, n: number, hasNull: boolean, bodyBytes: number): Buffer {
  const b = Buffer.allocUnsafe(20 + bodyBytes);
  b.writeInt32BE(1, 0);
  b.writeInt32BE(hasNull ? 1 : 0, 4);
  b.writeInt32BE(oid, 8);
  b.writeInt32BE(n, 12);
  b.writeInt32BE(1, 16);
  return b;
}

/** Fixed-width elements: `width` bytes written by `put` for each non-null value. */
function fixed<T>(
  oid: number,
  width: number,
  values: readonly T[],
  isNull: (v: T) => boolean,
  put: (b: Buffer, v: T, at: number) => void,
): Buffer {
  let nulls = 0;
  for (const v of values) if (isNull(v)) nulls++;
  const b = header(oid, values.length, nulls > 0, values.length * 4 + (values.length - nulls) * width);
  let at = 20;
  for (const v of values) {
    if (isNull(v)) {
      b.writeInt32BE(-1, at);
      at += 4;
    } else {
      b.writeInt32BE(width, at);
      put(b, v, at + 4);
      at += 4 + width;
    }
  }
  return b;
}

/** float8[]: a value that is not a finite number is NULL, and −0 is 0 (as JSON.stringify has
 *  them). */
export function float8Array(values: readonly unknown[]): Buffer {
  return fixed(
    OID.float8,
    8,
    values,
    (v) => typeof v !== 'number' || !Number.isFinite(v),
    (b, v, at) => b.writeDoubleBE((v as number) + 0, at),
  );
}

/** int4[]: null, undefined and non-finite numbers are NULL (as JSON.stringify has them); anything
 *  else must be an integer in int4's range. */
export function int4Array(values: readonly unknown[]): Buffer {
  return fixed(
    OID.int4,
    4,
    values,
    (v) => v === null || v === undefined || (typeof v === 'number' && !Number.isFinite(v)),
    (b, v, at) => {
      if (!Number.isInteger(v) || (v as number) < -0x8000_0000 || (v as number) > 0x7fff_ffff)
        throw new OutOfRange(`value ${String(v)} is out of range for type integer`);
      b.writeInt32BE(v as number, at);
    },
  );
}

/** int8[] of bigints (null and undefined are NULL); a value outside int8 is refused. */
export function int8Array(values: readonly (bigint | null | undefined)[]): Buffer {
  return fixed(
    OID.int8,
    8,
    values,
    (v) => v === null || v === undefined,
    (b, v, at) => {
      if (BigInt.asIntN(64, v!) !== v) throw new OutOfRange(`value ${v} is out of range for type bigint`);
      b.writeBigInt64BE(v!, at);
    },
  );
}

/** bool[]: true and false; anything else is NULL. */
export function boolArray(values: readonly unknown[]): Buffer {
  return fixed(
    OID.bool,
    1,
    values,
    (v) => typeof v !== 'boolean',
    (b, v, at) => {
      b[at] = v ? 1 : 0;
    },
  );
}

/** Variable-width elements: each non-null value's UTF-8 bytes. */
function varying(oid: number, values: readonly (string | null)[]): Buffer {
  let body = 0;
  let nulls = 0;
  const lengths = new Array<number>(values.length);
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v === null || v === undefined) {
      nulls++;
      lengths[i] = -1;
      body += 4;
    } else {
      lengths[i] = Buffer.byteLength(v);
      body += 4 + lengths[i]!;
    }
  }
  const b = header(oid, values.length, nulls > 0, body);
  let at = 20;
  for (let i = 0; i < values.length; i++) {
    const len = lengths[i]!;
    b.writeInt32BE(len, at);
    at += 4;
    if (len < 0) continue;
    b.write(values[i]!, at, len, 'utf8');
    at += len;
  }
  return b;
}

/** text[]: strings; null and undefined are NULL. */
export function textArray(values: readonly unknown[]): Buffer {
  return varying(
    OID.text,
    values.map((v) => (v === null || v === undefined ? null : String(v))),
  );
}
