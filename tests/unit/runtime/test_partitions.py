"""The relay's vectorised key hashing picks the partition aiokafka's default partitioner
picks, for every key length (the word loop and each tail of 0-3 bytes) and mixed pages."""

from __future__ import annotations

import random
import uuid

from aiokafka.partitioner import DefaultPartitioner, murmur2
from runtime.partitions import murmur2_positive


def test_every_key_length_hashes_as_aiokafka_does() -> None:
    rng = random.Random(17)
    keys = [rng.randbytes(length) for length in range(0, 70) for _ in range(5)]
    keys += [str(uuid.UUID(int=rng.getrandbits(128))).encode() for _ in range(200)]
    keys += ["ผลงาน".encode(), b"\xff" * 9, b"\x00" * 4]
    rng.shuffle(keys)  # lengths interleaved, as a page of several aggregates' keys is

    assert murmur2_positive(keys) == [murmur2(key) & 0x7FFFFFFF for key in keys]


def test_the_partition_is_the_default_partitioners() -> None:
    rng = random.Random(3)
    keys = [str(uuid.UUID(int=rng.getrandbits(128))).encode() for _ in range(300)]
    for count in (1, 3, 6, 7):
        partitions = list(range(count))
        assert [partitions[h % count] for h in murmur2_positive(keys)] == [
            DefaultPartitioner()(key, partitions, partitions) for key in keys
        ]


def test_an_empty_page_hashes_to_nothing() -> None:
    assert murmur2_positive([]) == []
