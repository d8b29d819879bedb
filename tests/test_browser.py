"""End to end in a real browser: ``streamlit run app.py`` on a free loopback port against a temporary index, driven by
Debian's chromium through Playwright's Python package (never ``playwright install``).

Screenshots (desktop 1400 px wide, mobile 390 px wide) are saved in a pytest temporary folder and copied to
``/tmp/ui-shots/`` for review.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import CHROMIUM, CORPUS, ROOT, free_port, make_settings, stop_process, wait_for_http

SHOTS = Path("/tmp/ui-shots")
TIMEOUT_MS = 240_000

pytestmark = [
    pytest.mark.browser,
    pytest.mark.slow,
    pytest.mark.skipif(
        not Path(CHROMIUM).exists(), reason=f"chromium not installed at {CHROMIUM} (apt-get install chromium)"
    ),
]

HOSTILE_DOC = """---
title: "Zorblax memo <img src=x onerror=alert(1)>"
doc_type: report
regions: [Yucatán]
sectors: [aerospace]
partners: []
as_of: 2026-01
sources:
  - {name: "Zorblax <script>alert(5)</script>", url: "https://example.com/zorblax", date: 2026-01}
---

# Zorblax duties <script>alert(2)</script>

Zorblax widgets imported into Yucatán pay a 7% Zorblax duty <img src=x onerror=alert(1)> under the memo.
The Zorblax memo also says <script>alert(2)</script> that Zorblax widgets clear customs in Mérida within two days.
"""

CORPUS_DOCS = (
    "alliance/nuvocargo.md",
    "alliance/nuvocargo.es.md",
    "regions/nuevo-leon.es.md",
    "policy/immex-shelter-prosec.md",
    "regions/nuevo-leon.md",
    "regions/queretaro.md",
    "regions/guanajuato.md",
)


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """A running app over a small index (five corpus documents and one hostile document); yields its URL."""
    from advisor.service import Advisor

    base = tmp_path_factory.mktemp("browser")
    docs = base / "docs"
    for rel in CORPUS_DOCS:
        (docs / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(CORPUS / rel, docs / rel)
    (docs / "reports").mkdir()
    (docs / "reports" / "zorblax.md").write_text(HOSTILE_DOC, encoding="utf-8")
    home = base / "home"
    report = Advisor.build(make_settings(home), warm=False).ingest([docs])
    assert not report.failed, report.failed
    port = free_port()
    env = {**os.environ, "ADVISOR_HOME": str(home), "HF_HUB_OFFLINE": "1"}
    log = open(base / "streamlit.log", "wb")  # noqa: SIM115 - closed below
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "streamlit",
            "run",
            "app.py",
            "--server.port",
            str(port),
            "--server.headless",
            "true",
            "--server.address",
            "127.0.0.1",
            "--browser.gatherUsageStats",
            "false",
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_for_http(f"{url}/_stcore/health", proc, base / "streamlit.log", timeout=60, expect=b"ok")
        yield {"url": url, "shots": base, "log": base / "streamlit.log"}
    finally:
        stop_process(proc, timeout=15)
        log.close()


def shot(page, server, name: str) -> Path:
    """Save a full-page screenshot in the test's folder and copy it to /tmp/ui-shots/."""
    path = server["shots"] / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    SHOTS.mkdir(parents=True, exist_ok=True)
    shutil.copy(path, SHOTS / path.name)
    return path


def open_app(context, server, dialogs: list):
    page = context.new_page()
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.set_default_timeout(TIMEOUT_MS)
    page.goto(server["url"])
    page.locator('[data-testid="stChatInputTextArea"]').wait_for()
    return page


def ask(page, question: str, n_messages: int):
    """Type ``question``, send it, and wait until the ``n_messages``-th message (the answer) is fully drawn."""
    box = page.locator('[data-testid="stChatInputTextArea"]')
    box.fill(question)
    box.press("Enter")
    messages = page.locator('[data-testid="stChatMessage"]')
    messages.nth(n_messages - 1).wait_for()
    answer = messages.nth(n_messages - 1)
    # the answer is complete when its feedback thumbs appear (drawn after the text, the badge and the cards)
    answer.locator('[data-testid="stFeedback"], [data-testid="stButtonGroup"]').first.wait_for()
    wait_idle(page)
    return answer


def wait_idle(page) -> None:
    """Wait until the script run is over: no element is drawn faded as stale from the previous run."""
    page.wait_for_function("() => document.querySelectorAll('[data-stale=\"true\"]').length === 0")
    page.wait_for_timeout(300)


def test_ask_open_card_talking_points_export_and_hostile_doc(server, browser):
    dialogs: list[str] = []
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, accept_downloads=True)
    page = open_app(context, server, dialogs)
    answer = ask(page, "What does Nuvocargo do?", 2)
    assert "Nuvocargo" in answer.inner_text()
    marker = answer.locator('a[href*="#src-"]').first
    target = marker.get_attribute("href").split("#", 1)[1]
    assert page.locator(f"#{target}").count() == 1  # the [1] marker points at its card
    card = answer.locator('[data-testid="stExpander"]').first
    card.locator("summary").click()
    highlighted = card.locator('[data-testid="stMarkdownContainer"] span').filter(has_text="Nuvocargo")
    highlighted.first.wait_for()
    assert "confidence" in answer.inner_text().lower()
    shot(page, server, "desktop-answer-card")

    # talking points: pick the mode in the sidebar, then ask
    page.locator('[data-testid="stSidebar"] label').filter(has_text="Talking points").click()
    wait_idle(page)
    points = ask(page, "Nuevo León for an electronics client", 4)
    assert points.locator("li").count() >= 3, points.inner_text()
    shot(page, server, "desktop-talking-points")

    # export: the downloaded Markdown holds both questions and numbered sources
    with page.expect_download() as info:
        page.locator('[data-testid="stDownloadButton"] button').first.click()
    exported = Path(info.value.path()).read_text(encoding="utf-8")
    assert "## What does Nuvocargo do?" in exported and "- **[1]** " in exported
    assert "Nuevo León for an electronics client" in exported

    # a hostile document shows as text; nothing it contains runs
    hostile = ask(page, "What duty do Zorblax widgets pay?", 6)
    cards = hostile.locator('[data-testid="stExpander"]')
    assert cards.count() >= 1
    zorblax = cards.filter(has_text="Zorblax memo").first
    assert "<img src=x onerror=alert(1)>" in zorblax.locator("summary").inner_text()
    zorblax.locator("summary").click()
    zorblax.get_by_text("<script>alert(2)</script>", exact=False).first.wait_for()
    page.wait_for_timeout(1000)
    assert page.locator('img[src="x"]').count() == 0
    assert page.evaluate("() => [...document.scripts].filter(s => s.textContent.includes('alert(')).length") == 0
    assert dialogs == []
    shot(page, server, "desktop-hostile-doc")
    context.close()


def test_mobile_width(server, browser):
    dialogs: list[str] = []
    context = browser.new_context(viewport={"width": 390, "height": 844}, device_scale_factor=2, is_mobile=True)
    page = open_app(context, server, dialogs)
    answer = ask(page, "What is IMMEX?", 2)
    answer.locator('[data-testid="stExpander"] summary').first.click()
    page.wait_for_timeout(500)
    width = page.evaluate("() => document.documentElement.scrollWidth")
    assert width <= 390 + 1, f"horizontal scrolling on a phone: page is {width}px wide"
    shot(page, server, "mobile-answer")
    assert dialogs == []
    context.close()


def test_two_sessions_keep_their_own_chats(server, browser):
    dialogs: list[str] = []
    a_ctx, b_ctx = browser.new_context(), browser.new_context()
    a, b = open_app(a_ctx, server, dialogs), open_app(b_ctx, server, dialogs)
    for page, question in ((a, "What does Nuvocargo do?"), (b, "What is IMMEX?")):
        box = page.locator('[data-testid="stChatInputTextArea"]')
        box.fill(question)
        box.press("Enter")  # both are in flight at once
    answer_a = ask_wait(a)
    answer_b = ask_wait(b)
    assert "Nuvocargo" in answer_a and "IMMEX" not in a.locator("main").inner_text()
    assert "IMMEX" in answer_b and "Nuvocargo" not in b.locator("main").inner_text()
    assert dialogs == []
    a_ctx.close()
    b_ctx.close()


def ask_wait(page) -> str:
    answer = page.locator('[data-testid="stChatMessage"]').nth(1)
    answer.wait_for()
    answer.locator('[data-testid="stFeedback"], [data-testid="stButtonGroup"]').first.wait_for()
    wait_idle(page)
    return answer.inner_text()


def test_spanish_corpus_view(server, browser):
    dialogs: list[str] = []
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = open_app(context, server, dialogs)
    page.locator('[data-testid="stSidebar"] button').filter(has_text="Español").click()
    page.get_by_text("Asesor de Nearshoring").first.wait_for()
    wait_idle(page)
    page.locator('[data-testid="stSidebar"] button').filter(has_text="Base de conocimiento").click()
    page.get_by_text("Cobertura").first.wait_for()
    charts = page.locator('[data-testid="stVegaLiteChart"]')
    charts.nth(1).wait_for()
    assert charts.count() == 2
    main = page.locator('[data-testid="stMain"]')
    assert "Todos los archivos se ingirieron" in main.inner_text()
    wait_idle(page)
    page.wait_for_timeout(1000)  # let the charts draw
    shot(page, server, "desktop-corpus-es")
    assert dialogs == []
    context.close()


def test_a_spanish_conversation_is_answered_in_spanish(server, browser):
    from advisor.language import detect_language

    dialogs: list[str] = []
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = open_app(context, server, dialogs)
    answer = ask(page, "¿Qué servicios ofrece Nuvocargo?", 2)
    text = answer.inner_text()
    body = text.split("Fuentes")[0].split("Sources")[0]
    assert "Nuvocargo" in body and detect_language(body) == "es", text
    follow = ask(page, "¿Cuánta inversión extranjera directa recibió Nuevo León en 2025?", 4)
    follow_text = follow.inner_text()
    assert "IED" in follow_text and detect_language(follow_text.split("Sources")[0]) == "es", follow_text
    shot(page, server, "desktop-spanish")
    assert dialogs == []
    context.close()
