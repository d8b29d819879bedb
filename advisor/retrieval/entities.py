"""Gazetteer of regions, sectors and partners with English/Spanish aliases; finds them in questions.

Canonical names are those of the corpus front matter (``ingest.corpus_lint.REGIONS``/``SECTORS``/``PARTNERS``);
matching is accent- and case-insensitive, whole words, longest alias first (so "Nuevo León" is not also "León").
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from advisor.text import fold

REGION_ALIASES: dict[str, tuple[str, ...]] = {
    "Nuevo León": ("nuevo leon", "nl", "monterrey", "mty", "santa catarina", "apodaca", "escobedo"),
    "Coahuila": ("saltillo", "ramos arizpe", "torreon", "derramadero"),
    "Chihuahua": ("ciudad juarez", "cd. juarez", "juarez", "chihuahua city"),
    "Baja California": ("tijuana", "mexicali", "ensenada", "tecate", "baja"),
    "Sonora": ("hermosillo", "nogales", "puerto penasco", "guaymas"),
    "Tamaulipas": ("reynosa", "matamoros", "nuevo laredo", "altamira", "tampico"),
    "Jalisco": ("guadalajara", "gdl", "zapopan", "el salto"),
    "Querétaro": ("queretaro", "qro", "el marques"),
    "Guanajuato": ("leon", "celaya", "silao", "irapuato", "salamanca", "bajio"),
    "Estado de México": ("estado de mexico", "edomex", "state of mexico", "mexico state", "toluca", "cuautitlan"),
    "Ciudad de México": ("ciudad de mexico", "mexico city", "cdmx", "df"),
    "Puebla": ("puebla",),
    "San Luis Potosí": ("san luis potosi", "slp", "san luis"),
    "Aguascalientes": ("aguascalientes", "ags"),
    "Yucatán": ("yucatan", "merida", "progreso"),
}
SECTOR_ALIASES: dict[str, tuple[str, ...]] = {
    "automotive": (
        "automotive",
        "auto",
        "autos",
        "auto parts",
        "automaker",
        "automakers",
        "car",
        "cars",
        "vehicle",
        "vehicles",
        "ev",
        "evs",
        "electric vehicle",
        "electric vehicles",
        "automotriz",
        "autopartes",
        "vehiculos",
        "vehiculos electricos",
        "armadoras",
    ),
    "electronics": (
        "electronics",
        "electronic",
        "semiconductor",
        "semiconductors",
        "chips",
        "electronica",
        "semiconductores",
    ),
    "medical-devices": (
        "medical device",
        "medical devices",
        "medical-device",
        "medtech",
        "dispositivos medicos",
        "dispositivos medicos",
        "medical",
    ),
    "pharmaceuticals": (
        "pharmaceutical",
        "pharmaceuticals",
        "pharma",
        "drugs",
        "drugmakers",
        "farmaceutica",
        "farmaceuticas",
        "medicamentos",
    ),
    "aerospace": ("aerospace", "aviation", "aircraft", "aeroespacial", "aeronautica"),
    "digital": (
        "software",
        "it services",
        "data center",
        "data centers",
        "data centre",
        "data centres",
        "cloud",
        "digital",
        "tech hub",
        "centros de datos",
        "centro de datos",
        "nube",
    ),
}
PARTNER_ALIASES: dict[str, tuple[str, ...]] = {
    name: (name.lower(),) for name in ("Auba", "Marco", "Prima", "Pulsar", "Transmute", "Nuvocargo")
}
PARTNER_ALIASES["Nuvocargo"] += ("nuvo cargo",)
# Bridge49 itself is deliberately not an entity: as one, it pulled "which Bridge49 partner…?" questions to the
# alliance overview instead of the partner profiles (advisor eval: recall@5 0.952 with it, 0.976 without).
CAPITALISED_ONLY = frozenset({"marco", "prima", "pulsar", "auba"})
"""Aliases that are also common words ("marco legal", "prima vacacional"): matched only when capitalised."""


@dataclass(frozen=True)
class Entities:
    """Entities named in a text, canonical names in order of first mention."""

    regions: tuple[str, ...] = ()
    sectors: tuple[str, ...] = ()
    partners: tuple[str, ...] = ()

    def is_empty(self) -> bool:
        """True when no region, sector or partner was found."""
        return not (self.regions or self.sectors or self.partners)

    def names(self) -> list[str]:
        """All canonical names (sectors with hyphens as spaces), regions first."""
        return [*self.regions, *(s.replace("-", " ") for s in self.sectors), *self.partners]


@dataclass
class Gazetteer:
    """Alias -> (kind, canonical name) lookup compiled into one regular expression."""

    aliases: dict[str, tuple[str, str]] = field(default_factory=dict)

    @classmethod
    def default(
        cls, extra_regions: Iterable[str] = (), extra_sectors: Iterable[str] = (), extra_partners: Iterable[str] = ()
    ) -> Gazetteer:
        """The built-in alias lists plus any further canonical names (e.g. from ingested front matter)."""
        gaz = cls()
        for kind, table, extra in (
            ("regions", REGION_ALIASES, extra_regions),
            ("sectors", SECTOR_ALIASES, extra_sectors),
            ("partners", PARTNER_ALIASES, extra_partners),
        ):
            for name, aliases in table.items():
                for alias in (name, name.replace("-", " "), *aliases):
                    gaz.aliases.setdefault(fold(alias), (kind, name))
            for name in extra:
                gaz.aliases.setdefault(fold(name), (kind, name))
        return gaz

    @property
    def _pattern(self) -> re.Pattern[str]:
        cached = self.__dict__.get("_compiled")
        if cached is None or cached[0] != len(self.aliases):
            alternatives = sorted(self.aliases, key=len, reverse=True)
            body = "|".join(re.escape(a.replace("-", " ")) for a in alternatives)
            cached = (len(self.aliases), re.compile(rf"(?<![\w-])(?:{body})(?![\w-])"))
            self.__dict__["_compiled"] = cached
        return cached[1]

    def alias_terms(self, entities: Entities) -> list[frozenset[str]]:
        """For each entity, the accent-folded aliases that name it (for spotting it in sentences)."""
        wanted = [(k, n) for k in ("regions", "sectors", "partners") for n in getattr(entities, k)]
        return [
            frozenset(a for a, target in self.aliases.items() if target == (k, n) and len(a) > 3)
            or frozenset({fold(n)})
            for k, n in wanted
        ]

    def mentions(self, text: str) -> list[tuple[int, int, str, str]]:
        """``(start, end, kind, canonical name)`` of each entity mention in ``text`` (character spans)."""
        out: list[tuple[int, int, str, str]] = []
        folded = fold(text).replace("-", " ")  # "auto-parts" is "auto parts"; same length, so spans stay valid
        if len(folded) != len(text):  # a rare length-changing fold (e.g. 'ß'): no reliable spans
            return out
        for match in self._pattern.finditer(folded):
            alias = match.group(0)
            original = text[match.start() : match.end()]
            if len(alias) <= 3 and original.lower() == original:
                continue  # 'nl', 'ev', 'df' only count when written in capitals
            if alias in CAPITALISED_ONLY and not original[:1].isupper():
                continue
            kind, name = self.aliases.get(alias) or self.aliases[alias.replace(" ", "-")]
            out.append((match.start(), match.end(), kind, name))
        return out

    def find(self, text: str) -> Entities:
        """Entities named in ``text`` (accent/case-insensitive). Short all-caps aliases such as 'NL' need capitals."""
        found: dict[str, list[str]] = {"regions": [], "sectors": [], "partners": []}
        for _, _, kind, name in self.mentions(text):
            if name not in found[kind]:
                found[kind].append(name)
        return Entities(tuple(found["regions"]), tuple(found["sectors"]), tuple(found["partners"]))
