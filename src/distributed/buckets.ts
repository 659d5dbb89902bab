/**
 * The gradient buckets of DistributedDataParallel (libtorch 1.13, after its first-iteration
 * rebuild): parameters in reverse registration order (roughly the order backward produces
 * their gradients), grouped by dtype, filled up to 1 MiB for the first bucket
 * (dist._DEFAULT_FIRST_BUCKET_BYTES) and bucket_cap_mb = 25 MiB for the rest. A parameter
 * larger than a cap gets a bucket of its own. At world size 2 the layout cannot change the bits
 * (each element is a + b); beyond that Gloo's ring sums a chunk's elements in an order that
 * depends on where the bucket boundaries fall, so the layout is part of the record.
 */
import { dtypeBytes } from "../engine/dtype.js";
import type { Tensor } from "../engine/tensor.js";

export const FIRST_BUCKET_BYTES = 1024 * 1024;
export const BUCKET_CAP_BYTES = 25 * 1024 * 1024;

export interface Bucket {
  /** Parameter names, in the order they lie in the flat buffer. */
  parameters: string[];
  bytes: number;
  dtype: string;
}

export interface BucketLayout {
  firstBucketBytes: number;
  bucketCapBytes: number;
  buckets: Bucket[];
}

export function bucketLayout(
  named: ReadonlyArray<readonly [string, Tensor]>,
  caps = { first: FIRST_BUCKET_BYTES, rest: BUCKET_CAP_BYTES },
): BucketLayout {
  const buckets: Bucket[] = [];
  const open = new Map<string, Bucket>();
  for (const [name, tensor] of [...named].reverse()) {
    const dtype = tensor.dtype;
    const bytes = tensor.size * dtypeBytes[dtype];
    let bucket = open.get(dtype);
    if (bucket === undefined) {
      bucket = { parameters: [], bytes: 0, dtype };
      open.set(dtype, bucket);
      buckets.push(bucket);
    }
    bucket.parameters.push(name);
    bucket.bytes += bytes;
    const cap = buckets.filter((b) => b.dtype === dtype).length === 1 ? caps.first : caps.rest;
    if (bucket.bytes >= cap) open.delete(dtype);
  }
  return { firstBucketBytes: caps.first, bucketCapBytes: caps.rest, buckets };
}
