"""Corpus changes under a search load, against `assistant serve --workers 2`: two operators
upload, replace, retire and re-index through /v1/admin while clients search and ask. No 5xx,
every change applied or told `corpus_busy`, the change log tells the corpus's story, and both
workers end on the final corpus. One host (SQLite, a Chroma folder) and the several-hosts setup
(Postgres, a Chroma server). The round is short; benchmarks/corpus_changes.py runs longer ones."""

from __future__ import annotations

from pathlib import Path

import pytest

from benchmarks.corpus_changes import print_report, run
from tests.servers import chroma_cli, have_postgres


@pytest.mark.slow
@pytest.mark.servers
@pytest.mark.parametrize("shared", [False, True], ids=["sqlite-folder", "postgres-server"])
def test_corpus_changes_under_a_search_load(shared: bool, tmp_path: Path) -> None:
    if shared and (not have_postgres() or chroma_cli() is None):
        pytest.skip("Debian's postgresql or the chroma command is not installed")
    report = run(seconds=20, clients=3, operators=2, postgres=shared, root=tmp_path)
    print_report(report, "postgres + chroma server" if shared else "sqlite + chroma folder", 3, 2)
    assert report.server_errors == [] and report.other_errors == []
    assert report.log_matches, report.log_problem
    assert report.requests["upload"] >= 2 and report.requests["retire"] >= 1
    assert report.requests["search"] > 20 and report.requests["ask"] > 20
    assert report.converged == 1.0
