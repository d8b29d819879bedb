from advisor.text import fold, normalise_text, split_sentences, tokenize


def sentences(text: str) -> list[str]:
    return [text[a:b] for a, b in split_sentences(text)]


def test_sentences_respect_abbreviations_and_figures():
    text = "The U.S. took 45% in 2024 (SE, Feb. 2025). Investment rose to $2.1bn. ¿Y en Querétaro? Sí, c. 2022 data."
    assert sentences(text) == [
        "The U.S. took 45% in 2024 (SE, Feb. 2025).",
        "Investment rose to $2.1bn.",
        "¿Y en Querétaro?",
        "Sí, c. 2022 data.",
    ]


def test_sentence_spans_are_verbatim_and_bullets_are_stripped():
    text = "Intro line here.\n- First item is a sentence.\n- Second item.  Another one!\n\n## Heading"
    spans = split_sentences(text)
    assert [text[a:b] for a, b in spans] == [
        "Intro line here.",
        "First item is a sentence.",
        "Second item.",
        "Another one!",
        "## Heading",
    ]


def test_normalise_text_folds_ligatures_hyphenation_and_spaces():
    raw = "The ﬁrst manu-\nfacturing   plant\u00ad s\x0c\n\n\n\nNext para"
    assert normalise_text(raw) == "The first manufacturing plant s\n\nNext para"


def test_tokenize_folds_accents_and_keeps_figures_whole():
    assert tokenize("Querétaro got $2.1bn, 54.8% (T-MEC).") == ["queretaro", "got", "$2.1bn", "54.8%", "t-mec"]
    assert fold("Nuevo León") == "nuevo leon"


def test_tokenize_drops_the_possessive():
    assert tokenize("Querétaro's aerospace and Mexico’s FDI") == ["queretaro", "aerospace", "and", "mexico", "fdi"]


def test_the_same_fact_in_other_words_is_a_near_repeat_unless_a_figure_differs():
    from advisor.answering.sentences import SentenceCandidate, near_repeat
    from advisor.retrieval.lexical import lexical_tokens

    def cand(text: str) -> SentenceCandidate:
        return SentenceCandidate(0, 0, len(text), text, 1.0, frozenset(lexical_tokens(text)))

    # two corpus documents state the duty deferral in their own words
    a = cand(
        "IMMEX allows a company to bring raw materials, components and machinery into Mexico temporarily for export "
        "production while deferring the general import duty (Asesores Stratego, May 2020)."
    )
    b = cand(
        "Mexico's IMMEX program lets exporters import inputs and machinery temporarily while deferring general import "
        "duty (Asesores Stratego, May 2020)."
    )
    assert near_repeat(a, b)
    c = cand("Nuevo León received $2.1bn of FDI in 2024 (Economy Ministry via LatinNews).")
    d = cand("Nuevo León received $2.7bn of FDI in 2025 (Economy Ministry via LatinNews).")
    assert not near_repeat(c, d)


def test_a_spanish_month_abbreviation_before_a_year_ends_no_sentence():
    from advisor.text import split_sentences

    text = "La IED fue de 2.1 mil millones (Economía vía LatinNews, feb. 2025). Otra frase aquí. Hace dos años. Luego."
    assert [text[a:b] for a, b in split_sentences(text)] == [
        "La IED fue de 2.1 mil millones (Economía vía LatinNews, feb. 2025).",
        "Otra frase aquí.",
        "Hace dos años.",
        "Luego.",
    ]
    assert len(split_sentences("Las exportaciones a EE. UU. crecieron 6 %. Otra frase.")) == 2
    english = "It opened two years ago. Then it grew."
    assert len(split_sentences(english)) == 2
