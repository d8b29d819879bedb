"""A user's own document, named in a question by a client name that occurs only there or by its file name, is
retrieved first and cited with its page — even when the built-in corpus has figures on the same topic."""

import shutil

import pytest
from fpdf import FPDF

from advisor.service import Advisor
from tests.conftest import CORPUS, make_settings

PAGES = [
    (
        "Site memo for Orvanta Components",
        "This memo summarises the site study for Orvanta Components, a maker of hydraulic valves that plans its "
        "first plant in Mexico. The study compared three industrial parks in the Monterrey metro area.",
    ),
    (
        "Lease terms",
        "The landlord of the Santa Catarina building offered Orvanta Components a base rent of USD 6.85 per square "
        "metre per month on a ten-year lease. The building has 14,200 square metres of floor space.",
    ),
    (
        "Schedule",
        "Orvanta Components plans to start production in the Santa Catarina building on 14 September 2027. "
        "Hiring of the first 120 operators begins three months before the start of production.",
    ),
    (
        "Contacts",
        "Questions about this memo go to the Orvanta Components project office in Houston.",
    ),
]


def _memo(path) -> None:
    pdf = FPDF()
    pdf.set_auto_page_break(False)
    for number, (heading, body) in enumerate(PAGES, 1):
        pdf.add_page()
        pdf.set_font("Helvetica", "B", 14)
        pdf.cell(0, 10, heading, new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("Helvetica", size=11)
        pdf.multi_cell(0, 6, body)
        pdf.set_y(-20)
        pdf.cell(0, 10, f"Page {number} of {len(PAGES)}", align="C")
    pdf.output(str(path))


@pytest.fixture(scope="module")
def memo_advisor(tmp_path_factory):
    root = tmp_path_factory.mktemp("memo")
    docs = root / "docs"
    (docs / "regions").mkdir(parents=True)
    (docs / "policy").mkdir()
    # built-in documents with rent figures of their own, to compete with the memo
    shutil.copy(CORPUS / "regions" / "nuevo-leon.md", docs / "regions")
    shutil.copy(CORPUS / "policy" / "industrial-real-estate.md", docs / "policy")
    _memo(docs / "orvanta-site-memo.pdf")
    advisor = Advisor.build(make_settings(root / "home"), warm=False)
    report = advisor.ingest([docs])
    assert not report.failed, report.failed
    return advisor


def _first_citation(answer):
    assert not answer.refused, answer.text
    return answer.citations[0]


def test_client_name_retrieves_the_memo_first_and_cites_the_rent_page(memo_advisor):
    answer = memo_advisor.ask("What rent was Orvanta offered for the building?")
    first = _first_citation(answer)
    assert first.doc_id == "orvanta-site-memo.pdf" and first.page == 2
    assert "USD 6.85" in first.quote
    assert answer.retrieved[0].passage.doc_id == "orvanta-site-memo.pdf"


def test_client_name_finds_the_start_date_on_page_three(memo_advisor):
    first = _first_citation(memo_advisor.ask("When does Orvanta start production?"))
    assert first.doc_id == "orvanta-site-memo.pdf" and first.page == 3
    assert "14 September 2027" in first.quote


def test_file_name_names_the_document(memo_advisor):
    answer = memo_advisor.ask("What is the floor space in orvanta-site-memo.pdf?")
    first = _first_citation(answer)
    assert first.doc_id == "orvanta-site-memo.pdf" and "14,200" in first.quote


def test_spanish_question_about_the_memo(memo_advisor):
    first = _first_citation(memo_advisor.ask("¿Qué renta le ofrecieron a Orvanta por la nave?"))
    assert first.doc_id == "orvanta-site-memo.pdf" and first.page == 2


def test_a_question_not_naming_the_memo_is_answered_from_the_corpus(memo_advisor):
    answer = memo_advisor.ask("What was Monterrey's industrial vacancy in 2025?")
    assert _first_citation(answer).doc_id != "orvanta-site-memo.pdf"


def test_a_two_part_question_about_the_memo_covers_both_pages(memo_advisor):
    answer = memo_advisor.ask("What rent was Orvanta offered, and when does Orvanta start production?")
    pages = {(c.doc_id, c.page) for c in answer.citations}
    assert ("orvanta-site-memo.pdf", 2) in pages and ("orvanta-site-memo.pdf", 3) in pages, pages
