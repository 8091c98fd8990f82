"""Index builds beside the live one and the rule that drops old Chroma collections: a build is
named by no stamp until it is promoted, a reverted build leaves the previous one live, and a
swap never drops a collection another worker may still be loading or building (knowledge/swap.py).
Real embedded Chroma; vectors from a hash (HashEmbedder), so no model is loaded."""

from __future__ import annotations

import shutil
import time
from pathlib import Path
from typing import Any

from assistant.config import REPO_ROOT, Settings
from assistant.knowledge.index import load_index, prepare_index
from assistant.knowledge.store import chroma_client, chroma_embedding_function
from assistant.knowledge.swap import GRACE_SECONDS, STAMP_COLLECTION, collect_garbage, read_stamp
from assistant.knowledge.units import UnitMatrix
from tests.knowledge.test_embedding_index import HashEmbedder, small_corpus


def chroma(settings: Settings) -> tuple[Any, Any]:
    return chroma_client(settings), chroma_embedding_function(HashEmbedder())


def names(client: Any) -> set[str]:
    return {str(c.name) for c in client.list_collections()} - {STAMP_COLLECTION}


def test_a_build_beside_is_live_only_once_promoted(tmp_path: Path) -> None:
    corpus_dir = small_corpus(tmp_path, "form.md")
    settings = Settings(data_dir=tmp_path / "data", corpus_dir=corpus_dir)
    old, _ = load_index(settings, embedder=HashEmbedder())
    client, function = chroma(settings)
    live = read_stamp(client, function)["active"]
    shutil.copy(REPO_ROOT / "corpus" / "notice.md", corpus_dir / "notice.md")

    build = prepare_index(settings, embedder=HashEmbedder())
    assert build.info.rebuilt and build.index.collection.name != live
    assert read_stamp(client, function)["active"] == live  # built, ready, not swapped in
    assert build.index.dense_ranking("申报材料寄到哪里", 3)  # it serves already
    build.revert()
    assert read_stamp(client, function)["active"] == live and names(client) == {live}

    build = prepare_index(settings, embedder=HashEmbedder())
    build.promote()
    stamp = read_stamp(client, function)
    assert stamp["active"] == build.index.collection.name and stamp["corpus_hash"] == build.info.corpus_hash
    build.revert()  # a change failing after the swap: the stamp goes back
    assert read_stamp(client, function)["active"] == live and names(client) == {live}
    assert old.dense_ranking("推荐汇总表", 3)


def test_a_swap_never_drops_a_collection_another_worker_is_loading_or_building(tmp_path: Path) -> None:
    corpus_dir = small_corpus(tmp_path, "form.md")
    settings = Settings(data_dir=tmp_path / "data", corpus_dir=corpus_dir)
    load_index(settings, embedder=HashEmbedder())
    client, function = chroma(settings)
    live = read_stamp(client, function)["active"]
    loading = client.get_collection(live, embedding_function=function)  # worker A read the stamp

    shutil.copy(REPO_ROOT / "corpus" / "notice.md", corpus_dir / "notice.md")
    building = prepare_index(settings, embedder=HashEmbedder())  # worker B builds, not yet swapped
    shutil.copy(REPO_ROOT / "corpus" / "plan.md", corpus_dir / "plan.md")
    swapped, info = load_index(settings, embedder=HashEmbedder())  # worker C builds and swaps
    assert info.rebuilt and read_stamp(client, function)["active"] == swapped.collection.name

    # A loads what it found; B's build is still whole and can still be swapped in.
    assert len(UnitMatrix.from_collection(loading)) > 0
    assert building.index.collection.count() == building.info.units
    building.promote()
    assert read_stamp(client, function)["active"] == building.index.collection.name
    assert names(client) == {live, swapped.collection.name, building.index.collection.name}

    # Past the grace period no one can still be loading the two swapped out: they go.
    later = time.time() + GRACE_SECONDS + 1
    assert set(collect_garbage(client, function, now=later)) == {live, swapped.collection.name}
    assert names(client) == {building.index.collection.name}


def test_an_abandoned_build_is_dropped_after_the_grace_period(tmp_path: Path) -> None:
    corpus_dir = small_corpus(tmp_path, "form.md")
    settings = Settings(data_dir=tmp_path / "data", corpus_dir=corpus_dir)
    load_index(settings, embedder=HashEmbedder())
    client, function = chroma(settings)
    shutil.copy(REPO_ROOT / "corpus" / "notice.md", corpus_dir / "notice.md")
    abandoned = prepare_index(settings, embedder=HashEmbedder()).index.collection.name  # killed here
    assert collect_garbage(client, function) == []  # its builder may still be at work
    soon = time.time() + GRACE_SECONDS / 2
    assert collect_garbage(client, function, now=soon) == []
    assert collect_garbage(client, function, now=time.time() + GRACE_SECONDS + 1) == [abandoned]
