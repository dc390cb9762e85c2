"""Kafka's default key partitioning (murmur2, as the Java client and aiokafka's
`DefaultPartitioner`), computed for many keys at once.

aiokafka hashes each key in pure Python (about 20 µs a key here, most of a record's produce
cost); the relay hashes a page of keys in a few vectorised numpy steps instead. The result is
the same partition for the same key, bit for bit (tests/unit/runtime/test_partitions.py
checks it against aiokafka's own `murmur2`), so a key's records land where any other
producer of the topic would put them.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

import numpy as np

_SEED = 0x9747B28C
_M = np.uint32(0x5BD1E995)


def murmur2(keys: Sequence[bytes]) -> np.ndarray:
    """The murmur2 hash (uint32) of each key, in the keys' order."""
    hashes = np.empty(len(keys), dtype=np.uint32)
    by_length: dict[int, list[int]] = defaultdict(list)
    for index, key in enumerate(keys):
        by_length[len(key)].append(index)
    with np.errstate(over="ignore"):  # uint32 arithmetic wraps, as Java's int does
        for length, indexes in by_length.items():
            hashes[indexes] = _murmur2_same_length([keys[i] for i in indexes], length)
    return hashes


def _murmur2_same_length(keys: list[bytes], length: int) -> np.ndarray:
    data = np.frombuffer(b"".join(keys), dtype=np.uint8).reshape(len(keys), length)
    h = np.full(len(keys), _SEED ^ length, dtype=np.uint32)
    words = length // 4
    if words:
        blocks = np.ascontiguousarray(data[:, : words * 4]).view("<u4")
        for i in range(words):
            k = blocks[:, i] * _M
            k ^= k >> np.uint32(24)
            k *= _M
            h *= _M
            h ^= k
    tail = data[:, words * 4 :].astype(np.uint32)
    extra = length % 4
    if extra >= 3:
        h ^= tail[:, 2] << np.uint32(16)
    if extra >= 2:
        h ^= tail[:, 1] << np.uint32(8)
    if extra >= 1:
        h ^= tail[:, 0]
        h *= _M
    h ^= h >> np.uint32(13)
    h *= _M
    h ^= h >> np.uint32(15)
    return h


def murmur2_positive(keys: Sequence[bytes]) -> list[int]:
    """Each key's hash as the default partitioner uses it: `murmur2(key) & 0x7fffffff`, whose
    remainder by the partition count indexes the topic's partitions sorted by id."""
    return (murmur2(keys) & np.uint32(0x7FFFFFFF)).tolist()
