"""The chain head is published: in every page's footer (both languages) and as the
``audit-head`` open dataset, and it moves when the log does."""

from __future__ import annotations

import csv
import io

from fastapi.testclient import TestClient

from pfund.services.audit import AuditWriter, verify
from pfund.services.runtime import Runtime


def head_of(rt: Runtime) -> str:
    with rt.uow() as uow:
        seq, digest = uow.audit.head(lock=False)
    return f"{seq}:{digest}"


def test_the_footer_and_open_data_publish_the_head(client: TestClient, app_rt: Runtime) -> None:
    head = head_of(app_rt)
    english = client.get("/").text
    assert "Audit log head" in english and head in english
    russian = client.get("/?lang=ru").text
    assert "Вершина журнала аудита" in russian and head in russian
    as_json = client.get("/api/v1/open-data/audit-head.json")
    assert as_json.status_code == 200
    (row,) = as_json.json()["audit-head"]
    assert f"{row['seq']}:{row['hash']}" == head == row["head"] and row["at"]
    (line,) = csv.DictReader(io.StringIO(client.get("/api/v1/open-data/audit-head.csv").text))
    assert line["head"] == head
    # A new event moves the published head; the old one still verifies as history.
    with app_rt.uow() as uow:
        AuditWriter(uow, "test:clerk").record("note.added", "note", "N-1")
        uow.commit()
    assert head_of(app_rt) != head and head_of(app_rt) in client.get("/").text
    seq, digest = head.split(":")
    with app_rt.uow() as uow:
        assert verify(uow, earlier_head=(int(seq), digest)).earlier_head_found
