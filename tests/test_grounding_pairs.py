"""The grounding check on labelled claims (eval/grounding-pairs.yaml) with the real embedding model: close
paraphrases of a passage sentence are kept, claims that reuse its words but change who, what or where are dropped."""

from __future__ import annotations

import yaml

from advisor.answering.grounding import embedding_similarity, is_supported, min_similarity, names_supported
from tests.conftest import EVAL


def _claims() -> list[tuple[str, str, bool]]:
    items = yaml.safe_load((EVAL / "grounding-pairs.yaml").read_text(encoding="utf-8"))
    return [(c["text"], item["evidence"], c["supported"]) for item in items for c in item["claims"]]


def test_embedding_grounding_keeps_paraphrases_and_drops_twisted_claims(corpus_advisor):
    similarity = embedding_similarity(corpus_advisor.index.embedder)
    claims = _claims()
    supported = [(t, e) for t, e, ok in claims if ok]
    unsupported = [(t, e) for t, e, ok in claims if not ok]
    assert len(supported) >= 15 and len(unsupported) >= 15
    kept = [t for t, e in supported if is_supported(t, [e], similarity)]
    accepted = [t for t, e in unsupported if is_supported(t, [e], similarity)]
    lexical_accepted = [t for t, e in unsupported if is_supported(t, [e])]
    print(
        f"min similarity {min_similarity(similarity)}: supported kept {len(kept)}/{len(supported)}, "
        f"unsupported accepted {len(accepted)}/{len(unsupported)} (word overlap, names: {len(lexical_accepted)})"
    )
    assert len(kept) >= 12, sorted(set(t for t, _ in supported) - set(kept))
    assert len(accepted) <= 1, accepted
    assert len(lexical_accepted) > len(accepted), "the embedding check adds something over word overlap"


def test_names_must_occur_in_the_passage():
    evidence = ["Baja California is the centre of Mexico's medical-device industry (Referente, May 2024)."]
    assert names_supported("Baja California leads Mexico's medical-device industry.", evidence)
    assert not names_supported("Jalisco leads Mexico's medical-device industry.", evidence)
    assert names_supported("The industry is centred in Baja California.", evidence)  # "The" is not a name
    assert names_supported("It trucks goods to the US.", ["It moves freight to the United States."])
    assert not names_supported("USMCA requires 75% Asian content.", ["Parts bought from Asia count against it."])
