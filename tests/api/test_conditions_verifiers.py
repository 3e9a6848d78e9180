"""The public conditions page names who verifies each condition in the reader's
language, from the fund's register of verifiers."""

from __future__ import annotations

from fastapi.testclient import TestClient


def _main(html: str) -> str:
    return html.split('<main id="main">', 1)[1].split("</main>", 1)[0]


def test_the_conditions_page_names_the_verifiers_in_the_readers_language(
    client: TestClient,
) -> None:
    en = _main(client.get("/conditions?lang=en").text)
    ru = _main(client.get("/conditions?lang=ru").text)
    assert "<td>OSCE monitoring mission (or a successor mandated by the parties)</td>" in en
    assert "<td>Government of Ukraine; United Nations Secretary-General</td>" in en
    assert "<td>Мониторинговая миссия ОБСЕ (или её преемник, назначенный сторонами)</td>" in ru
    assert "<td>Правительство Украины; Генеральный секретарь ООН</td>" in ru
    assert 'lang="en"' not in ru
    assert "osce_monitoring" not in en + ru
