"""Uploads over HTTP cost what the limits allow: the audit's zip bomb posted to the open
/v1/review, and a DOCX bomb or an over-long PDF posted to /v1/admin/documents, are 413
file_too_large with a Chinese message naming the file and the limit, at once, and the corpus
is left as it was."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient

from tests.bombs import MB, docx_bomb, measured, pdf_with_pages
from tests.interfaces.api.test_admin import OP, client_for, make_service, snapshot, upload

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def test_review_refuses_a_docx_bomb_at_once_without_inflating_it(client: TestClient) -> None:
    bomb = docx_bomb(512)  # 0.5 MB posted, 512 MiB inflated; no key needed (the API is open)
    warm = client.post("/v1/review", files={"file": ("草稿.md", "一、企业概况".encode(), "text/markdown")})
    assert warm.status_code == 200  # the first request loads what every request shares: not timed
    with measured() as cost:
        response = client.post(
            "/v1/review", files={"file": ("申报书.docx", bomb, DOCX)}, data={"tier": "卓越级"}
        )
    assert response.status_code == 413, response.text
    error = response.json()["error"]
    assert error["code"] == "file_too_large"
    assert error["message"] == "申报书.docx 解压后为 513 MB（上限 50 MB），已拒绝"
    assert cost.seconds < 1.0, cost
    assert cost.peak < 32 * MB, cost


def test_admin_upload_refuses_a_docx_bomb_and_a_long_pdf_leaving_the_corpus(tmp_path: Path) -> None:
    service = make_service(tmp_path)
    client = client_for(service)
    before = snapshot(service.settings.corpus_dir)
    assert client.get("/v1/admin/documents", headers=OP).status_code == 200  # warm, not timed
    with measured() as cost:
        bomb = upload(client, docx_bomb(256), name="通知.docx")
    assert bomb.status_code == 413, bomb.text
    assert bomb.json()["error"]["code"] == "file_too_large"
    assert bomb.json()["error"]["message"] == "通知.docx 解压后为 257 MB（上限 50 MB），已拒绝"
    assert cost.seconds < 1.0 and cost.peak < 32 * MB, cost
    pdf = upload(client, pdf_with_pages(510), name="汇编.pdf", preview=True)
    assert pdf.status_code == 413, pdf.text
    assert "共 510 页（上限 500 页）" in pdf.json()["error"]["message"]
    assert snapshot(service.settings.corpus_dir) == before
